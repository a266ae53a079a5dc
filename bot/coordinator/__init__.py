"""Tools for the coordinator and social workers: links, posters, figures, translation status."""
