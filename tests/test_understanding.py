"""How people really write: the cases of the 'understand real messages' issue, on the engine the
bot runs (keywords and the semantic stage together)."""

from __future__ import annotations

import json

import pytest

from bot.matching.engine import MatchingEngine
from bot.matching.semantic import SHIPPED_VECTORS, EmbeddingCache, catalogue_texts, read_shipped
from tests.conftest import ROOT, SHIPPED, TESTVILLE, shared_semantics

CRISES = [
    ("j'en peux plus, ma famille serait plus tranquille si je n'étais plus là", "3114"),
    ("تعبت من هالحياة وما بدي كمّل", "3114"),
    ("لما يشرب بيمد إيده علي وعلى الولاد", "3919"),
    ("донька не повернулася зі школи, вже ніч, телефон не відповідає", "17|119"),
    ("no room anywhere, me and the kids are in the car tonight", "115"),
    ("Seeygu wuu i dilaa guriga", "3919|17"),
    ("Hoy ma haysto caawa", "115"),
    ("he fell and doesn't wake up", "15|112"),
]
MISSED_ON_THE_SECOND_DEVELOPMENT_PASS = [
    ("مېړه مې اوس وهي، پولیسو ته اړتیا لرم", "3919|17"),  # my husband is hitting me now
    ("ټول شیان بې مانا شوي، که سبا را ویښ نه شم ښه به وي، نور نشم زغملای", "3114"),
    ("نن شپه به بیا په موټر کې تیروو، بل ځای نه لرو", "115"),  # tonight again in the car
    ("خلص ما عاد فيني كمّل، كل ليلة بتمنى ما فيق الصبح", "3114"),
    ("ابني وقع من على السلم ومش بيرد عليا", "15|112"),
    ("ነብሰይ ክቐትል እየ ደልየ ሓግዙኒ", "3114"),  # I want to kill myself, help me
    # found by the second review, with no number at all
    ("دیگه نمیخوام زنده باشم", "3114"),
    ("میړه مې هره ورځ ما وهي", "3919|17"),
    ("شوهرم منو کتک میزنه", "3919|17"),
    ("mon mari m'a frapé hier soir", "3919|17"),
    ("gaz tarakid too ashpazkhane", "18"),
    ("lyoum ghadi nn3so f tomobil ana w wladi", "115"),
]


MISSED_ON_THE_THIRD_DEVELOPMENT_PASS = [
    ("احنا برا بالشارع انا ومرتي والصغار والليل جاي وما عندنا وين نروح", "115"),
    ("حاسه اني عبء على الكل كتبت رساله لاهلي ووزعت حاجاتي خلاص", "3114"),
    ("ما عاد فيني كمل، كل شي صار تقيل، بفكر خلّص من حالي الليلة", "3114"),
    ("gabadhayda 5 jir ah waa la waayay, booliska ayaan u baahanahay hadda", "17|112"),
    ("Yardım edin, oğlum çamaşır suyu içti, kusuyor, ambulansı nasıl ararım?", "15|112"),
    ("mon bebe respire mal il devient tout bleu aidez moi", "15|112"),
    ("ma fille 9 ans est pas rentree de lecole depuis 3h personne la vue", "119|17"),
    # and, from the review, the same dangers in other words and languages
    ("mon fils a bu de l'eau de javel", "15|112"),
    ("my son drank some bleach", "15|112"),
    ("kızım çamaşır suyu yuttu", "15|112"),
    ("ابني شرب كلور", "15|112"),
    ("Мій син випив відбілювач", "15|112"),
    ("بدي خلص على حالي", "3114"),
    ("بدي اتخلص من نفسي", "3114"),
    ("نايمين بالشارع، الولاد جوعانين", "115"),
    # from the fourth pass
    ("واحد هجم علي بسكين بالشارع وانا مجروح ونازل مني دم كتير", "17|15|112"),
    ("Aabbahay hadda ayuu i garaacayaa, waxaan ahay 14 jir, i caawiya", "119|17"),
    ("son compagnon a cassé la porte et elle s'est enfermée dans la salle de bain", "3919|17"),
    # from the fifth pass
    ("بيي وقع بالمطبخ فجاه وما عم يحكي منيح ووجهه مايل من جهه وحده وايدو ما عم يحركها", "15|112"),
    ("جدي بيقول صدره عم يوجعه كتير وايده الشمال منملة وعرقان كتير", "15|112"),
    ("انا وعيالي برا ما لقينا مكان نرقد فيه والبرد شديد والليله ما ندري وين نبات", "115"),
    ("خوي ما ياكل ولا يرد على حد ويقول ما فيش فايده من عيشتي وسكر على روحه الدار", "3114"),
    ("كل يوم امشي جنب النهر وافكر ارمي نفسي فيه وخلاص", "3114"),
    ("في تلات شباب لاحقيني من المحطة ومعهم سكاكين، انا مختبي ورا محل هلق", "17|112"),
    ("بنتي عمرها ١٥ سنة ما رجعت من امبارح العصر وتلفونها مسكر", "119|17"),
    ("il est à la gare avec sa femme et un bébé, le foyer est complet et ils n'ont rien", "115"),
    ("wll ma jiro wax aan u noolahay, waxaan go'aansaday inaan caawa dhammeeyo", "3114"),
    # and, from the review, the same dangers in other words
    ("أبوي فجأة صار يحكي كلام مش مفهوم، وبوزه معووج لجهة وحدة", "15|112"),
    ("كاين واحد تابعني من الطرام وفيدو موس، أنا دابا مخبية فحانوت", "17|112"),
    ("عييت من هاد الدنيا، بغيت نقتل راسي الليلة", "3114"),
]
"""Third and fourth development passes. A family in the street at nightfall, a farewell
letter and things given away, "finish myself off tonight", a lost girl and "the police"
(Somali "booliska", whose stem missed "booliis"), a boy who drank bleach, a knife attack with
heavy bleeding, a 14-year-old beaten now, a woman locked in after her partner broke the door:
no number at all, some with a confident card. A baby turning blue and a girl not back from
school got only a gentle number. The review's variants say the same dangers in other words.
Fifth pass: a stroke, chest pain with a numb arm, a family outside at night, a brother who
sees no use in living, the river, youths with knives, a 15-year-old gone since yesterday, a
family at the station with a full shelter, "nothing to live for" in Somali: no number."""


@pytest.mark.parametrize(
    ("text", "numbers"),
    CRISES + MISSED_ON_THE_SECOND_DEVELOPMENT_PASS + MISSED_ON_THE_THIRD_DEVELOPMENT_PASS,
)
def test_a_crisis_said_without_the_word_shows_the_right_number(
    hybrid: MatchingEngine, text: str, numbers: str
) -> None:
    match = hybrid.match(text)
    assert set(numbers.split("|")) & set(match.emergency), match.as_json()


@pytest.mark.parametrize(
    "text",
    ["I work as a firefighter and want to learn French", "je ne peux pas appeler la CAF",
     "I was an ambulance driver in Kabul, I am looking for a job",
     "mon mari se bat pour ses papiers", "I don't want to live in this flat anymore",
     "где переночевать дешево",
     "the explosions of the war still ring in my ears, I can't sleep, I need a psychologist"],
)  # fmt: skip
def test_known_false_alarms_stay_quiet(hybrid: MatchingEngine, text: str) -> None:
    """The six false alarms of the first round, and a war memory that is not a fire now."""
    match = hybrid.match(text)
    assert not match.emergency or match.gentle, match.as_json()
    assert "18" not in match.emergency, match.as_json()


@pytest.mark.parametrize(
    "text",
    ["ما فيق بكير الصبح، في دورة فرنساوي بعد الظهر؟", "ابني مش بيفوق بدري للمدرسة",
     "ma ra7 kun mawjoud bukra bel maw3ad, fiyi ghayyer?", "rassi kaydrebni bzaf, fin nl9a tbib?",
     "zama passport wrak dey, sa wakam?", "binti tlfat liha lcarte dyal tobis",
     "ma wahid fihom bi7ki 3arabi", "د کور خاوند راته هره ورځ زنګ وهي، کرایه غواړي",
     "زاړه شیان مې خیرات ته ورکړل، اوس نوي کالي غواړم",
     "نن شپه موټر ته اړتیا لرم چې هوایي ډګر ته لاړ شم", "ab kurs francais bota yebelnan ilomna",
     "моя освіта тут нікому не потрібна, шукаю роботу", "الايجار عبء على الكل، بدي بيت ارخص",
     "до сих пор снятся взрывы и слезоточивый газ, нужен психолог",
     "l'OFPRA a pris mon passeport, est-ce que je peux sortir de France pour voir ma mère ?",
     "OFPRA took my passport and I can't leave France to visit my family",
     "ma fille n'est pas encore inscrite pour la rentrée de l'école",
     "أصوات الانفجار ما زالت في أذني، ساعدونا نلاقي طبيب نفسي",
     "я повар, ищу работу на кухне, после взрыва в Харькове уехали",
     "بتمنى ما فيق بكير، في دورة مسائية؟", "rajli kaydrebni mli ti7t f tram",
     "tlfat liya lcarte de séjour w ma l9itha, chno ndir?", "د کور خاوند ته مې زنګ ووهلم",
     "не хочу просыпаться в 6 утра ради курсов, есть вечерние курсы?",
     # and from a third review
     "التلفون وقع من على السلم وانكسرت الشاشة", "ابوي وقع عقد الإيجار والمالك مش بيرد",
     "My employer asked for a copy of my passport, how many days of annual leave do I get?",
     "wldi 3ndo 10 snin tlef lih telephone",
     "Ma fille n'est pas rentrée de l'école à midi car elle mange à la cantine",
     "ma fi nar bel bet, kif bdaffi el wlad? el chauffage 3atlan",
     "Haberlerde patlama gördüm, annem acil gelin dedi, vize nasıl alınır?",
     "wach kayn train l Bordeaux? ma bghitch n3es f tomobil",
     "zawji 2al el doktor lazem yedrobni ebre", "shoharam mara zang mizana har roz",
     "میړه مې هره شپه زنګ وهي له کاره", "دیگه نمیخوام اینجا زندگی کنم، میخوام برم لیون",
     "ma bqitch baghi n3ich f had l'hotel, bghit appartement",
     # from the review of the third pass's phrases
     "الولاد بيلعبوا بالشارع وما عندنا وين نروح بالعطلة",
     "ما عندنا وين نروح نهاية الاسبوع، شو في نشاطات بالليل للعيلة",
     "فيني خلص من حالي المعاملة اونلاين؟", "بدي اخلص من حالي الاوراق بدون مساعدة",
     "بدي اتخلص من حالتي الصعبة مع الديون",
     "وزعت اغراضي على الاصحاب قبل السفر، هلق بدي ملابس شتوية",
     "Ma doonayo inaan ku noolaado Poitiers, waxaan rabaa guri magaalo kale",
     "Ma fille n'est pas rentrée à l'école depuis septembre, comment l'inscrire ?",
     "mon bébé respire mal la nuit, il a le nez bouché, je cherche un pédiatre",
     "my hands are turning blue in this cold, I need warm clothes",
     "الحنفية خربانة ونازل منها مي كتير، مين بيصلحها؟",
     "ابني كل يوم بينزل من انفه دم كتير، بدي دكتور اطفال",
     "في سوريا هجموا علي بسكين، بدي محامي لملف اللجوء",
     "wadnaha ayuu i garaacayaa, dhakhtar ayaan u baahanahay",
     "ma fille de 3 ans s'est enfermée dans la salle de bain, il faut un serrurier",
     # from the review of the fifth pass's phrases
     "رفضوا صورة ابني لطلب الإقامة لأنه وجهه مايل بالصورة، وين في محل صور رسمية؟",
     "جوزي صار معه شلل وجه من ٣ شهور، لسا فمه مايل شوي، كيف آخذ موعد علاج فيزيائي؟",
     "رحت الجيم امبارح وكنت عرقان مرة، اليوم صدري يوجعني من تمرين الضغط",
     "لما كنت بليبيا كانوا شباب لاحقيني ومعهم سكاكين، ولهلق بشوف كوابيس، بدي دكتور نفسي",
     "بياع السكاكين بالسوق لاحقني لحتى اشتري منه سكين",
     "غادي نمشيو لباريس فالويكاند مع الدراري وما ندري وين نبات، كاين شي أوطيل رخيص؟",
     "ماشين باريس عشان مقابلة الأوفبرا بكرة، وين نرقد الليلة هناك؟",
     "جوزي ما رجع من الشغل والدنيا ظلمت، شو مواعيد باصات Vitalis؟",
     "مرتي راحت لعند أختها بليون، لسا ما رجعت، تلفونها مسكر لأنو خلص الشحن",
     "أول ما نوصل عالبحر بدي ارمي حالي بالمي، قديش بتكلف الرحلة للاروشيل؟",
     "أبي أرمي نفسي بالشغل عشان أنسى الغربة، وين ألقى شغل بسرعة؟",
     "الفايدة من عيشتي بفرنسا إنو ولادي بالمدرسة، بدي أتعلم فرنساوي",
     "Notre foyer est complet maintenant : ma femme et les enfants sont arrivés hier !",
     "La pharmacie n'a rien pour cette nuit, l'antibiotique arrive demain matin",
     "Caruurtaydu waa wax aan u noolahay. Xagee ka raadiyaa shaqo?",
     "Hadda waxaan haystaa wax aan u noolahay: wiilkayga cusub! Sidee CAF-ka?",
     "Waxaan rabaa inaan caawa dhammeeyo foomka CAF-ka, iga caawi",
     "Waxaan go'aansaday inaan dhammeeyo waxbarashadayda jaamacadda Poitiers",
     "le ciel devient tout bleu ce soir, où faire de belles photos à Poitiers ?"],
)  # fmt: skip
def test_a_piece_of_a_danger_phrase_in_an_ordinary_request_stays_quiet(
    hybrid: MatchingEngine, text: str
) -> None:
    """From five reviews of the danger phrases added on the development passes: each was
    first cut too short from one message, and fired on requests like these."""
    match = hybrid.match(text)
    assert not match.emergency or match.gentle, match.as_json()


@pytest.mark.parametrize(
    ("memory", "fire"),
    [("صدای انفجار هنوز در گوشم است، کار میخواهم", "انفجار گاز در آشپزخانه شد"),
     ("أصوات الانفجار ما زالت في أذني، بدي شغل", "انفجر الغاز في المطبخ"),
     ("د جګړې چاودنې لا هم زما په غوږونو کې دي، کار غواړم", "د ګاز چاودنه وشوه"),
     ("savaştaki patlamaların sesi hala kulağımda, iş arıyorum", "mutfakta gaz patladı yardım"),
     ("ድምጺ ነታጒ ኲናት ገና ኣብ እዝነይ ኣሎ፡ ስራሕ ደልየ", "ጋዝ ነቲጉ ኣብ ክሽነ")],
)  # fmt: skip
def test_an_explosion_remembered_is_not_a_fire_now(
    hybrid: MatchingEngine, memory: str, fire: str
) -> None:
    """A war memory with an explosion in it gets no fire brigade; a gas explosion now does."""
    assert "18" not in hybrid.match(memory).emergency, hybrid.match(memory).as_json()
    assert "18" in hybrid.match(fire).emergency, hybrid.match(fire).as_json()


@pytest.mark.parametrize(
    "text",
    ["زموږ په کور کې چاودنه وشوه، ژر راشئ", "ኣብ ገዛና ነታጒ ኣሎ ቀልጡፍ ምጹ",
     "همین حالا در آپارتمان ما انفجار شد زود بیایید", "apartmanda patlama oldu, acil gelin",
     "کپسول گاز ترکید، کمک کنید", "البوطة تفرقعات فالكوزينة عاونوني"],
)  # fmt: skip
def test_an_explosion_now_with_a_call_for_help_calls_the_fire_brigade(
    hybrid: MatchingEngine, text: str
) -> None:
    """Bare "explosion" no longer calls the 18 (war memories); an explosion with "come
    quickly" or a gas bottle that burst does ("help us" also ends requests about memories)."""
    match = hybrid.match(text)
    assert "18" in match.emergency and not match.gentle, match.as_json()


@pytest.mark.parametrize(
    "text",
    ["وعدوني بشغل بألمانيا، أخذوا جوازي وما بيخلونا نطلع من المصنع",
     "Almanya'da iş vaat ettiler, pasaportumu aldılar, fabrikadan çıkamıyoruz",
     "they took my passport and won't let us leave the farm"],
)  # fmt: skip
def test_a_worker_held_by_an_employer_gets_the_police(hybrid: MatchingEngine, text: str) -> None:
    """A review found these behind the new "job offer abroad" out-of-scope examples."""
    assert "17" in hybrid.match(text).emergency, hybrid.match(text).as_json()


MISSING_CHILDREN = [
    "دخترم ده ساله است از مکتب نیامده، دو ساعت شده، همه جا را پالیدیم پیدا نمیشه",
    "زما زوی شپږ کلن دی، له ښوونځي نه نه دی راغلی، دوه ساعته کېږي، هېچا نه دی لیدلی",
    "wiilkayga 7 jir ah dugsiga kama soo laaban, 2 saac ayaa ka badan, meel walba waan ka raadinay",
    "донька 12 років не прийшла зі школи, телефон вимкнений, подружки кажуть що не бачили її з обіду",
    "dytyna ne povernulasia zi shkoly vzhe 6 vechora telefon ne vidpovidaie",
]


@pytest.mark.parametrize("text", MISSING_CHILDREN)
def test_a_missing_child_is_not_a_school_enrolment(hybrid: MatchingEngine, text: str) -> None:
    """Development-split messages that got a confident school-enrolment card under the
    numbers: "school" was in them, the danger was what they were about. The 119 belongs to no
    theme: its crisis examples made every parenting card read as close as the danger."""
    match = hybrid.match(text)
    assert {"17", "119"} & set(match.emergency), match.as_json()
    assert not match.confident, match.as_json()


def test_a_suicidal_story_gets_no_card_about_something_else(hybrid: MatchingEngine) -> None:
    text = "تعبت من كل شي، صرت حس انو اهلي رح يرتاحو اذا رحت. امبارح كتبت رسالة لامي وخبيتها"
    match = hybrid.match(text)
    assert "3114" in match.emergency, match.as_json()
    assert not match.confident or "health" in match.results[0].action.themes, match.as_json()


def test_a_faint_false_alarm_keeps_the_card_asked_for(hybrid: MatchingEngine) -> None:
    """Arabizi reads close to the Arabizi crisis examples: the numbers may show, gently, but
    the social-housing request still opens its card."""
    match = hybrid.match("bdna na3mel talab sakan ijtima3i HLM, ne7na 6 bi ghorfe wa7de")
    assert not match.emergency or match.gentle, match.as_json()
    assert match.confident and match.results[0].action.id == "social-housing-application"


def test_a_danger_only_the_meaning_shows_still_gets_an_answer(hybrid: MatchingEngine) -> None:
    match = hybrid.match("no room anywhere, me and the kids are in the car tonight")
    assert "115" in match.emergency
    assert match.results and "housing" in match.results[0].action.themes


@pytest.mark.parametrize(
    "text",
    ["yardıma ihtiyacım var", "ሓገዝ የድልየኒ", "де купити папір для принтера"],
)  # fmt: skip
def test_help_with_nothing_named_gets_no_card_at_once(hybrid: MatchingEngine, text: str) -> None:
    """Development-split messages that got a confident card: "I need help" (Turkish,
    Tigrinya) reads close to "I need a doctor"; printer paper shares one word with the
    digital-help services."""
    assert not hybrid.match(text).confident, hybrid.match(text).as_json()


@pytest.mark.parametrize(
    "text",
    ["gabadhayda 5 jir ah waa la waayay, booliska ayaan u baahanahay hadda",
     "bnti tlfat liya f souk dial dimanche 3andha 5 snin ma l9itha fin ma mchit"],
)  # fmt: skip
def test_a_named_danger_does_not_open_a_card_no_word_asks_for(
    hybrid: MatchingEngine, text: str
) -> None:
    """A lost little girl and the police (Somali, Moroccan Arabizi): the numbers came with a
    confident childcare or food card. The person chooses after the numbers."""
    match = hybrid.match(text)
    assert "17" in match.emergency and not match.confident, match.as_json()


@pytest.mark.parametrize(
    ("text", "theme"),
    [("ويين فيه متحف نزوره", "culture"), ("ابغى مساعده في دفع الايجارر", "housing")],
)
def test_a_need_named_by_its_own_word_is_not_dropped_as_off_topic(
    hybrid: MatchingEngine, text: str, theme: str
) -> None:
    """Development-split messages with "museum" and a misspelt "rent" in them read as close
    to an out-of-scope question as to any service, and got nothing (``off_topic_named``)."""
    match = hybrid.match(text)
    assert theme in {t for r in match.results[:3] for t in r.action.themes}, match.as_json()


@pytest.mark.parametrize(
    "text",
    ["combien coûte un appartement à Paris en ce moment ?", "how much is a flat in London now",
     "рецепт пирога с яблоками", "طريقة عمل الكبسة", "who won the football match yesterday",
     "quel temps fera-t-il demain ?", "learn English online for free",
     "пропонують роботу в Німеччині на заводі, хтось знає це не шахраї?",
     "Almanya'dan iş teklifi aldım Münih'te fabrikada, maaş iyi mi sence",
     "زما موبایل سکرین مات دی د موبایل جوړولو دوکان چیرته دی",
     "Quelle est la météo demain ? je sors avec mes enfants", "ابني بيسألني شو عاصمة استراليا"],
)  # fmt: skip
def test_off_topic_questions_are_not_routed(hybrid: MatchingEngine, text: str) -> None:
    match = hybrid.match(text)
    assert not match.confident, match.as_json()
    assert not match.emergency


@pytest.mark.parametrize(
    "text", ["I need a doctor", "je cherche un médecin", "أحتاج طبيب", "Мне нужен врач"]
)
def test_a_doctor_is_general_health_care_not_mental_health(
    hybrid: MatchingEngine, text: str
) -> None:
    first = hybrid.match(text).results[0].action
    assert "health" in first.themes
    assert first.id != "bpi-vulnerability-mental-health"


@pytest.mark.parametrize(
    "text", ["I am looking for a job", "Ищу работу", "ስራሕ ደልየ", "Shaqo ayaan doonayaa"]
)
def test_a_job_search_opens_work_not_housing(hybrid: MatchingEngine, text: str) -> None:
    match = hybrid.match(text)
    assert match.results[0].action.themes[0] != "housing", match.as_json()
    assert "employment" in match.results[0].action.themes


@pytest.mark.parametrize(
    ("text", "lang", "theme"),
    [("hakim delye", "ti", "health"), ("kak poluchit vid na zhitelstvo", "ru", "rights"),
     ("abghi ta3allam faransi", "ar", "language")],
)  # fmt: skip
def test_latin_script_writing_is_read_in_its_language(
    hybrid: MatchingEngine, text: str, lang: str, theme: str
) -> None:
    match = hybrid.match(text)
    assert match.detected == lang
    assert match.results and theme in match.results[0].action.themes, match.as_json()


@pytest.mark.parametrize(
    ("text", "operator"), [("Коаллиа адрес", "coallia"), ("آدرس توا دو موند", "toit-du-monde")]
)
def test_an_operator_named_in_another_script_is_found(
    hybrid: MatchingEngine, text: str, operator: str
) -> None:
    match = hybrid.match(text)
    assert any(operator in r.action.operators for r in match.results[:3]), match.as_json()


NAMES = ROOT / "tests" / "data" / "operator-names.jsonl"


def test_every_operator_is_found_by_name_from_every_language(hybrid: MatchingEngine) -> None:
    rows = [json.loads(line) for line in NAMES.read_text("utf-8").splitlines() if line.strip()]
    missed = [
        f"{row['lang']} {row['operator']}: {row['text']}"
        for row in rows
        if hybrid.actions_by_operator.get(row["operator"])
        and not any(
            row["operator"] in r.action.operators for r in hybrid.match(row["text"]).results[:3]
        )
    ]
    assert len({row["lang"] for row in rows}) == 10
    assert missed == []


def test_a_story_with_incidental_words_reaches_its_need(hybrid: MatchingEngine) -> None:
    story = (
        "We came from Sudan two years ago. My son is in school and his teacher sent a letter. "
        "The war explosions still ring in my ears sometimes. "
        "Now I really need to find work, any job, to pay the rent."
    )
    match = hybrid.match(story)
    assert "employment" in match.results[0].action.themes, match.as_json()
    assert "18" not in match.emergency


def test_a_long_message_is_answered(hybrid: MatchingEngine) -> None:
    text = ("je cherche un logement pour ma famille " * 200)[:4096]
    match = hybrid.match(text)
    assert match.results and "housing" in match.results[0].action.themes


def test_the_shipped_vectors_cover_the_catalogue(poitiers) -> None:
    """A fresh install starts without embedding anything: run ``ctai-bot vectors`` after
    changing the catalogue's texts."""
    shipped = read_shipped(SHIPPED / SHIPPED_VECTORS)
    model = shared_semantics().embedder.name
    missing = [
        t for t, _ in catalogue_texts(poitiers) if EmbeddingCache.key(model, t) not in shipped
    ]
    assert missing == []


@pytest.mark.parametrize(
    "text", ["I need a flat and French classes for my wife", "أبحث عن سكن وعن دروس فرنسية"]
)
def test_two_needs_in_one_message_both_reach_the_person(hybrid: MatchingEngine, text: str) -> None:
    match = hybrid.match(text)
    offered = {t for r in match.results[:2] for t in r.action.themes} | set(match.clarify)
    assert {"housing", "language"} <= offered, match.as_json()


def test_a_long_story_is_cut_to_its_start_and_its_ask() -> None:
    embedder = shared_semantics().embedder
    story = "We arrived in winter. " + "The road was long and hard. " * 30 + "I need a job now."
    short = embedder.shorten(story)
    assert short.startswith("We arrived") and short.endswith("I need a job now.")
    assert len(short) < len(story) / 3


@pytest.mark.parametrize(
    "text", ["أحتاج سكن " + "ﷺ" * 40, "ﷺ" * 2000, "\ufdfa\ufdfb" * 500, "ﷲ" * 300]
)
def test_ligatures_that_expand_do_not_crash_the_model(hybrid: MatchingEngine, text: str) -> None:
    """U+FDFA is 3 bytes and 18 letters once normalised: it overflowed the tokenizer."""
    json.dumps(hybrid.match(text).as_json())


@pytest.mark.parametrize(
    ("text", "number"),
    [("SOS pomogite", "112"), ("pomogite, house on fire", "18"), ("mne nado police", "17")],
)
def test_danger_words_survive_the_cyrillic_reading(
    hybrid: MatchingEngine, text: str, number: str
) -> None:
    assert number in hybrid.match(text).emergency


def test_a_second_need_without_any_service_does_not_crash(testville) -> None:
    engine = MatchingEngine(testville, shared_semantics().index(testville, TESTVILLE))
    json.dumps(engine.match("I need a flat and a doctor").as_json())


def test_a_flat_type_or_a_french_level_is_not_arabizi(hybrid: MatchingEngine) -> None:
    for text in ("I need a T2 flat", "logement T2 Poitiers", "niveau B2 DELF B2"):
        assert hybrid.match(text).detected != "ar", text


@pytest.mark.parametrize("text", ["bonjour", "merci", "hello", "salam", "спасибо"])
def test_a_greeting_is_not_taken_for_a_need(hybrid: MatchingEngine, text: str) -> None:
    match = hybrid.match(text)
    assert not match.confident and not match.clarify and not match.emergency
