"""A printable A4 poster in one language: QR code, what the bot helps with, emergency numbers."""

from __future__ import annotations

from bot.catalogue.model import Catalogue
from bot.coordinator.sharing import qr_svg
from bot.dialogue.cards import text_of, theme_label
from bot.dialogue.i18n import I18n, escape

STYLE = """
@page { size: A4; margin: 14mm; }
body { font-family: "Noto Sans", "Noto Sans Arabic", "Noto Sans Ethiopic", sans-serif;
       margin: 0; color: #111; }
h1 { font-size: 30pt; margin: 0 0 6mm; }
.lead { font-size: 16pt; }
.qr { text-align: center; margin: 8mm 0; }
.qr svg { width: 80mm; height: 80mm; }
.link { font-family: monospace; font-size: 12pt; direction: ltr; unicode-bidi: isolate; }
ul.themes { columns: 2; font-size: 15pt; padding: 0; list-style: none; }
.sos { border: 3px solid #b00; border-radius: 4mm; padding: 4mm 6mm; font-size: 13pt; }
.sos b { font-size: 16pt; }
"""


def poster_html(catalogue: Catalogue, i18n: I18n, lang: str, link: str, username: str,
                theme: str | None = None) -> str:  # fmt: skip
    s = i18n[lang]
    direction = "rtl" if s.rtl else "ltr"
    themes = [catalogue.themes_by_id[theme]] if theme else list(catalogue.themes)
    items = "".join(f"<li>{escape(theme_label(s, t))}</li>" for t in themes)
    numbers = "".join(
        f"<div>📞 <b>{escape(c.number)}</b> — {escape(text_of(s, c.purpose)[0])}</div>"
        for c in catalogue.territory.emergency
    )
    lead = s._(
        "I help refugees and newcomers find the right local service: French classes, housing, "
        "health, work, papers. Write in your language."
    )
    scan = s._("📱 Scan this code with your phone to open the bot in Telegram.")
    sos = s._("🆘 <b>Emergency numbers</b> (free, day and night):")
    return f"""<!doctype html>
<html lang="{lang}" dir="{direction}">
<head><meta charset="utf-8"><title>@{escape(username)}</title><style>{STYLE}</style></head>
<body>
<h1>🤝 @{escape(username)}</h1>
<p class="lead">{lead}</p>
<div class="qr">{qr_svg(link)}<div class="link">{escape(link)}</div></div>
<p class="lead">{scan}</p>
<ul class="themes">{items}</ul>
<div class="sos"><p>{sos}</p>{numbers}</div>
</body></html>
"""
