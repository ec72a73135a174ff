#!/usr/bin/env python3
"""Writes the demo data set in assets/demo/: an invented subscriber list of a
garden-shop newsletter ("Bloom & Leaf") and an mbox with the bounces,
complaints and auto-replies its six monthly mailings (June to November 2026)
brought back, plus assets/demo/README.md with the figures the app should show.

Everything is invented: names, addresses and company domains (reserved
`.example` / `.test` names, or addresses at big public mail providers that
were made up for this file), IP addresses from the documentation ranges. The
bounce texts are written for this project in the styles that Postfix, Exim,
qmail, Sendmail, Gmail and Office 365 produce.

Deterministic: a fixed seed, no clock, no set iteration; the same output on
every run. Standard library only (Python 3.11).

usage: python3 scripts/make-demo.py [OUT_DIR]     (default: assets/demo)
then:  listhygiene classify --format table assets/demo/bounces.mbox
       listhygiene clean --list assets/demo/subscribers.csv \\
           --bounces assets/demo/bounces.mbox --out-dir /tmp/demo-out
"""
import csv
import datetime as dt
import hashlib
import os
import random
import sys
import unicodedata
from collections import Counter

SEED = 20260602
rng = random.Random(SEED)
UTC = dt.timezone.utc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "assets", "demo")

# ---------------------------------------------------------------------------
# The sender and its mailings
# ---------------------------------------------------------------------------

SENDER = "news@bloom-and-leaf.example"
SENDER_NAME = "Bloom & Leaf"
OUR_MTA = "mail.bloom-and-leaf.example"
OUR_IP = "203.0.113.25"
LIST_ID = "Bloom & Leaf newsletter <newsletter.bloom-and-leaf.example>"

SUBJECTS = {
    6: "June in the garden: roses, slugs and the first strawberries",
    7: "July in the garden: watering wisely through a heatwave",
    8: "August in the garden: saving seeds and sowing for autumn",
    9: "September in the garden: planting bulbs for next spring",
    10: "October in the garden: leaves, compost and the last dahlias",
    11: "November in the garden: keeping pots safe from frost",
}
INTROS = {
    6: "the roses are out, the slugs are hungry and the first strawberries are\nturning red. This month: beer traps that work, and netting without tears.",
    7: "a hot July is forecast. We look at watering in the evening, mulching\nand the plants that shrug off a dry spell.",
    8: "time to save seeds from your best tomatoes and beans, and to sow\nspinach, corn salad and winter radish for the cool months.",
    9: "tulips, daffodils and alliums go into the ground now. Our bulb guide\nsays how deep, how far apart, and what squirrels will leave alone.",
    10: "fallen leaves are free compost. Plus: lifting and storing dahlia\ntubers, and the last sowing of broad beans.",
    11: "frost is coming. Bubble wrap, pot feet and a sheltered corner keep\nterracotta and tender plants through the winter.",
}


def first_tuesday(year, month):
    d = dt.date(year, month, 1)
    while d.weekday() != 1:
        d += dt.timedelta(days=1)
    return d


def berlin_offset(t):
    """UTC offset of Europe/Berlin in hours (2026: CEST until 25 Oct 01:00 UTC)."""
    return 2 if t < dt.datetime(2026, 10, 25, 1, tzinfo=UTC) else 1


def pacific_offset(t):
    """UTC offset of US Pacific time in hours (2026: PDT until 1 Nov 09:00 UTC)."""
    return -7 if t < dt.datetime(2026, 11, 1, 9, tzinfo=UTC) else -8


MAILINGS = []
for _month in range(6, 12):
    _day = first_tuesday(2026, _month)
    _start = dt.datetime(_day.year, _day.month, _day.day, 8, 0, tzinfo=UTC)
    _start -= dt.timedelta(hours=berlin_offset(_start))  # 08:00 Berlin time
    MAILINGS.append({
        "i": _month - 6,
        "month": _month,
        "campaign": f"bl-2026-{_month:02}",
        "subject": SUBJECTS[_month],
        "start": _start,
    })
MONTH_NAMES = ["June", "July", "August", "September", "October", "November"]

# ---------------------------------------------------------------------------
# Names and domains
# ---------------------------------------------------------------------------

# (first names as "name/gender", last names; gender f/m matters for Slavic surnames)
NAMES = {
    "de": (
        "Anna/f Lukas/m Jürgen/m Sabine/f Günter/m Käthe/f Jörg/m Lena/f Felix/m Heike/f "
        "Uwe/m Claudia/f Matthias/m Stefanie/f Björn/m Sönke/m Maximilian/m Ute/f Dörte/f "
        "Tobias/m Katrin/f Wolfgang/m Ines/f Henrik/m Marlene/f Jonas/m Birgit/f Ralf/m "
        "Hannelore/f Till/m Franziska/f Mia/f Leon/m Gisela/f Bärbel/f Timo/m",
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann "
        "Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun "
        "Krüger Hofmann Lange Werner Krause Lehmann Köhler Weiß Jäger Groß Vogel "
        "Bergmann Kühn Pfeiffer Döring Brandt Haas Sommer Engel",
    ),
    "fr": (
        "Zoë/f Camille/f Élodie/f Théo/m Léa/f Mathéo/m Chloé/f Hélène/f François/m "
        "Gaëlle/f Noël/m Benoît/m Amélie/f Céline/f Jérôme/m Inès/f Louis/m Manon/f "
        "Julien/m Sébastien/m Margaux/f Étienne/m Océane/f Loïc/m",
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
        "Laurent Lefèvre Michel Fournier Girard Bonnet Dupont Lambert Faure Rousseau "
        "Mercier Chevalier Gauthier Lemaître Bouchard Marchand Roussel",
    ),
    "es": (
        "José/m María/f Jesús/m Lucía/f Álvaro/m Sofía/f Martín/m Inés/f Raúl/m Begoña/f "
        "Iñaki/m Andrés/m Mónica/f Ramón/m Ángela/f Óscar/m Nuria/f Javier/m Carmen/f "
        "Sergio/m Elena/f",
        "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Díaz "
        "Muñoz Álvarez Romero Navarro Ortega Castillo Peña Ibáñez Herrera Vargas",
    ),
    "en": (
        "Zoë/f Oliver/m Emily/f James/m Charlotte/f Harry/m Amelia/f Jack/m Grace/f "
        "Thomas/m Sophie/f Daniel/m Hannah/f William/m Olivia/f George/m Isla/f Henry/m "
        "Chloe/f Samuel/m Rachel/f Michael/m Sarah/f David/m Laura/f Peter/m Emma/f "
        "Siobhan/f Owen/m Priya/f Rohan/m Aisha/f Nathan/m Megan/f Lucy/f Ethan/m Ruth/f",
        "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright "
        "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Hughes "
        "Edwards Turner Cooper Hill Ward O'Brien Murphy Kelly Patel Khan Bennett "
        "Fletcher Morgan Price Shaw",
    ),
    "it": (
        "Giulia/f Marco/m Francesca/f Luca/m Chiara/f Matteo/m Niccolò/m Alessandro/m "
        "Federica/f Lorenzo/m Martina/f Davide/m",
        "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino De Luca "
        "Galli Conti Fabbri",
    ),
    "nl": (
        "Sanne/f Daan/m Anouk/f Bram/m Femke/f Joost/m Lotte/f Thijs/m",
        "de Vries|van Dijk|Bakker|Visser|Smit|Meijer|de Boer|Mulder|van den Berg|Jansen",
    ),
    "nordic": (
        "Søren/m Åsa/f Lars/m Ingrid/f Mikael/m Sigrid/f Björn/m Frida/f Magnus/m Maja/f",
        "Jensen Nielsen Hansen Andersson Johansson Lindqvist Bergström Ødegaard Åberg Holm",
    ),
    "pl": (
        "Małgorzata/f Łukasz/m Wojciech/m Agnieszka/f Paweł/m Zofia/f Katarzyna/f Tomasz/m",
        "Kowalski Nowak Wiśniewski Wójcik Kamiński Lewandowski Dąbrowski Zieliński "
        "Szymański Woźniak",
    ),
}
# Russian names: (Latin spelling for the address, Cyrillic spelling, gender)
RU_FIRST = [
    ("aleksei", "Алексей", "m"), ("natalya", "Наталья", "f"), ("dmitri", "Дмитрий", "m"),
    ("olga", "Ольга", "f"), ("sergei", "Сергей", "m"), ("irina", "Ирина", "f"),
    ("andrei", "Андрей", "m"), ("tatiana", "Татьяна", "f"), ("yulia", "Юлия", "f"),
    ("mikhail", "Михаил", "m"), ("ekaterina", "Екатерина", "f"), ("pavel", "Павел", "m"),
    ("anastasia", "Анастасия", "f"), ("ivan", "Иван", "m"),
]
RU_LAST = [
    ("ivanov", "Иванов"), ("smirnov", "Смирнов"), ("kuznetsov", "Кузнецов"),
    ("popov", "Попов"), ("volkov", "Волков"), ("sokolov", "Соколов"),
    ("lebedev", "Лебедев"), ("kozlov", "Козлов"), ("novikov", "Новиков"),
    ("morozov", "Морозов"), ("petrov", "Петров"), ("orlov", "Орлов"),
]
RU_LATIN_FIRST = {"aleksei": "Aleksei", "natalya": "Natalya", "dmitri": "Dmitri",
                  "olga": "Olga", "sergei": "Sergei", "irina": "Irina", "andrei": "Andrei",
                  "tatiana": "Tatiana", "yulia": "Yulia", "mikhail": "Mikhail",
                  "ekaterina": "Ekaterina", "pavel": "Pavel", "anastasia": "Anastasia",
                  "ivan": "Ivan"}


def parse_names(spec):
    first_spec, last_spec = spec
    firsts = [tuple(x.split("/")) for x in first_spec.split()]
    lasts = last_spec.split("|") if "|" in last_spec else last_spec.split()
    return firsts, lasts


NAME_TABLE = {k: parse_names(v) for k, v in NAMES.items()}

# Big providers: weight, the locales of their users (weighted), the bounce style.
PROVIDERS = {
    "gmail.com": (27, {"en": 5, "de": 2, "fr": 1, "es": 2, "it": 1, "nl": 1, "pl": 1, "nordic": 1}, "gmail"),
    "yahoo.com": (7, {"en": 6, "es": 1, "fr": 1}, "postfix"),
    "outlook.com": (10, {"en": 4, "de": 2, "fr": 1, "nl": 1, "nordic": 1, "es": 1}, "office365"),
    "hotmail.com": (9, {"en": 4, "fr": 2, "es": 2, "it": 1, "de": 1}, "office365"),
    "gmx.de": (10, {"de": 9, "pl": 1}, "postfix"),
    "web.de": (8, {"de": 9, "pl": 1}, "postfix"),
    "orange.fr": (6, {"fr": 1}, "postfix"),
    "aol.com": (3, {"en": 1}, "postfix"),
    "icloud.com": (7, {"en": 4, "de": 1, "fr": 1, "nl": 1}, "postfix"),
    "mail.ru": (4, {"ru": 1}, "postfix"),
    "yandex.ru": (3, {"ru": 1}, "postfix"),
}
# Invented company domains: locale, the mail system that bounces for them, size.
COMPANIES = [
    ("northwind-traders.example", "en", "exim", 20),
    ("acme-garden.example", "en", "postfix", 18),
    ("greenfield-architects.example", "en", "office365", 18),
    ("lindenhof-kliniken.example", "de", "sendmail", 22),
    ("hartmann-steuerberatung.example", "de", "qmail", 16),
    ("rivera-diseno.example", "es", "gmail", 16),
    ("blue-harbor-logistics.example", "en", "sendmail", 20),
    ("sonnenberg-schule.example", "de", "exim", 20),
    ("atelier-marchand.example", "fr", "qmail", 16),
    ("vortex-software.example", "en", "gmail", 18),
    ("kessler-druck.example", "de", "dead", 10),
    ("alpenblick-hotel.example", "de", "postfix", 8),
    ("baumschule-winter.example", "de", "qmail", 18),
    ("fjordline-consulting.example", "nordic", "office365", 16),
    ("orchard-lane-cafe.example", "en", "exim", 16),
    ("pixel-and-pine.example", "en", "postfix", 16),
    ("rheinwerk-gmbh.example", "de", "sendmail", 20),
    ("mediterranea-foods.example", "it", "exim", 18),
    ("old-mill-bakery.example", "en", "qmail", 16),
    ("brightwater-college.test", "en", "office365", 22),
    ("stadtbibliothek-nord.test", "de", "exim", 18),
    ("van-dijk-kwekerij.example", "nl", "postfix", 16),
    ("polana-ogrody.example", "pl", "sendmail", 16),
    ("cafe-de-la-gare.example", "fr", "postfix", 14),
]
DEAD_DOMAIN = "kessler-druck.example"
OUTAGE_DOMAIN = "alpenblick-hotel.example"
COMPANY = {c[0]: c for c in COMPANIES}

GERMAN_TRANSLIT = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
OTHER_TRANSLIT = {"ø": "o", "Ø": "O", "æ": "ae", "ł": "l", "Ł": "L", "ß": "ss"}


def ascii_fold(s, german):
    out = []
    for ch in s:
        if german and ch in GERMAN_TRANSLIT:
            out.append(GERMAN_TRANSLIT[ch])
        elif ch in OTHER_TRANSLIT:
            out.append(OTHER_TRANSLIT[ch])
        else:
            out.append(ch)
    s = unicodedata.normalize("NFKD", "".join(out))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return "".join(c for c in s.lower() if c.isalnum() or c in " -")


def weighted(table):
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def make_name(locale):
    """(first, last, latin first, latin last) for a locale."""
    if locale == "ru":
        lf, cf, g = rng.choice(RU_FIRST)
        ll, cl = rng.choice(RU_LAST)
        if g == "f":
            ll, cl = ll + "a", cl + "а"
        if rng.random() < 0.55:
            return cf, cl, lf, ll
        return RU_LATIN_FIRST[lf], ll.capitalize(), lf, ll
    firsts, lasts = NAME_TABLE[locale]
    first, gender = rng.choice(firsts)
    last = rng.choice(lasts)
    if locale == "pl" and gender == "f" and last.endswith("ski"):
        last = last[:-1] + "a"
    german = locale == "de" and rng.random() < 0.7
    lf = ascii_fold(first, german).replace(" ", "")
    ll = ascii_fold(last, german).replace(" ", "").replace("'", "")
    return first, last, lf, ll


used_addresses = {}


def make_local(lf, ll, company):
    if company:
        pattern = rng.choices(["f.l", "i.l", "f"], weights=[70, 22, 8])[0]
    else:
        pattern = rng.choices(
            ["f.l", "fl", "i.l", "f_l", "f.lNN", "l.f", "fYY", "il", "f.i", "flNNN"],
            weights=[33, 10, 10, 5, 11, 5, 9, 7, 5, 5])[0]
    yy = rng.choice(["71", "78", "82", "85", "88", "90", "93", "95", "98", "01", "04"])
    local = {
        "f.l": f"{lf}.{ll}", "fl": f"{lf}{ll}", "i.l": f"{lf[0]}.{ll}", "f_l": f"{lf}_{ll}",
        "f.lNN": f"{lf}.{ll}{rng.randrange(2, 99)}", "l.f": f"{ll}.{lf}", "fYY": f"{lf}{yy}",
        "il": f"{lf[0]}{ll}", "f.i": f"{lf}.{ll[0]}", "flNNN": f"{lf}{ll[:1]}{rng.randrange(100, 999)}",
        "f": lf,
    }[pattern]
    return local.replace("-", "")


def unique_address(lf, ll, domain, company):
    for attempt in range(50):
        local = make_local(lf, ll, company)
        if attempt > 3:
            local += str(rng.randrange(2, 99))
        addr = f"{local}@{domain}"
        if addr not in used_addresses:
            used_addresses[addr] = True
            return addr
    raise RuntimeError("no unique address")


def rand_date(start, end):
    days = (end - start).days
    return start + dt.timedelta(days=rng.randrange(days + 1))


SNAPSHOT = dt.date(2026, 11, 20)  # the day the list was exported


def make_person(domain, locale, company):
    first, last, lf, ll = make_name(locale)
    addr = unique_address(lf, ll, domain, company)
    signed = rand_date(dt.date(2023, 1, 9), dt.date(2026, 10, 31))
    opened = None
    if rng.random() < 0.64:
        opened = rand_date(signed, SNAPSHOT)
    return {"email": addr, "first": first, "last": last, "domain": domain,
            "locale": locale, "signed_up": signed, "last_open": opened,
            "style": COMPANY[domain][2] if company else PROVIDERS[domain][2],
            "role": None, "events": {}}


people = []
for domain, locale, style, size in COMPANIES:
    for _ in range(size):
        people.append(make_person(domain, locale, True))
N_UNIQUE = 1992
providers = list(PROVIDERS)
while len(people) < N_UNIQUE:
    domain = rng.choices(providers, weights=[PROVIDERS[p][0] for p in providers])[0]
    people.append(make_person(domain, weighted(PROVIDERS[domain][1]), False))
rng.shuffle(people)

# ---------------------------------------------------------------------------
# The scenario: who bounces how, in which mailing
# ---------------------------------------------------------------------------
# An event is (mailing index, kind): kinds are
#   hard      user unknown (5.1.1)
#   dead      domain gone (host not found)
#   full      mailbox full, permanent answer (552 5.2.2): one bounce
#   fulltemp  mailbox full, temporary answer (452 4.2.2): a delay warning, then
#             the final bounce when the queue lifetime runs out
#   expired   the receiving host could not be reached until the queue lifetime
#             ran out (4.4.7 / 4.4.1); the outage domain also gets a warning
#   blocked   refused for a sender-side reason (Spamhaus / reputation block)
#   complaint ARF spam complaint
#   vacation  out-of-office auto-reply

MS_DOMAINS = ("outlook.com", "hotmail.com")


def free(pred=lambda p: True):
    return [p for p in people if p["role"] is None and pred(p)]


def assign(candidates, n, role):
    chosen = rng.sample(candidates, n)
    for p in chosen:
        p["role"] = role
    return chosen


def is_company(p):
    return p["domain"] in COMPANY


def before(p, mailing_index):
    """Makes the person a subscriber before a mailing, with no open after it."""
    limit = MAILINGS[mailing_index]["start"].date() - dt.timedelta(days=1)
    if p["signed_up"] > limit - dt.timedelta(days=60):
        p["signed_up"] = rand_date(dt.date(2023, 1, 9), limit - dt.timedelta(days=60))
    if p["last_open"] is not None and p["last_open"] >= limit:
        if rng.random() < 0.5:
            p["last_open"] = None
        else:
            p["last_open"] = rand_date(p["signed_up"], limit)


# The dead company: every address there, from July on.
for p in people:
    if p["domain"] == DEAD_DOMAIN:
        p["role"] = "dead"
        before(p, 1)
        for m in range(1, 6):
            p["events"][m] = ["dead"]

# Hard bounces that reach the threshold: 40 addresses, starting June..September.
# Half of them at company domains (people leave jobs); the Microsoft addresses
# start by August, because September's block hides that month's answer.
not_ms = lambda p: p["domain"] not in MS_DOMAINS and p["domain"] not in (DEAD_DOMAIN, OUTAGE_DOMAIN)
hard_remove = (assign(free(lambda p: is_company(p) and not_ms(p)), 18, "hard")
               + assign(free(lambda p: not is_company(p) and not_ms(p)), 16, "hard")
               + assign(free(lambda p: p["domain"] in MS_DOMAINS), 6, "hard"))
starts = [0] * 28 + [1] * 6 + [2] * 3 + [3] * 3
ms_starts = [0, 0, 0, 1, 1, 2]
non_ms = [p for p in hard_remove if p["domain"] not in MS_DOMAINS]
rng.shuffle(starts)
start_pool = starts[:]
for s in ms_starts:
    start_pool.remove(s)
for p, s in zip(non_ms, start_pool):
    p["hard_start"] = s
for p, s in zip([p for p in hard_remove if p["domain"] in MS_DOMAINS], ms_starts):
    p["hard_start"] = s
# Hard bounces that have not reached it: 20 addresses, from October or November.
hard_watch = (assign(free(lambda p: is_company(p) and not_ms(p)), 7, "hard-watch")
              + assign(free(lambda p: not is_company(p) and p["domain"] not in (DEAD_DOMAIN, OUTAGE_DOMAIN)), 13, "hard-watch"))
for i, p in enumerate(hard_watch):
    p["hard_start"] = 4 if i % 2 == 0 else 5
for p in hard_remove + hard_watch:
    before(p, p["hard_start"])
    for m in range(p["hard_start"], 6):
        p["events"][m] = ["hard"]

# September: part of the send to Microsoft's consumer domains is refused
# because the sending IP got listed. 40 refusals; the Microsoft addresses
# that bounce hard anyway get the refusal instead of "user unknown".
ms_hard = [p for p in hard_remove if p["domain"] in MS_DOMAINS and p["hard_start"] <= 3]
blocked = ms_hard + assign(free(lambda p: p["domain"] in MS_DOMAINS), 40 - len(ms_hard), "blocked")
for p in blocked:
    p["events"][3] = ["blocked"]

# Soft bounces, 50 addresses.
#  20 one-off full mailboxes
full_once = assign(free(lambda p: p["domain"] not in (DEAD_DOMAIN, OUTAGE_DOMAIN)), 20, "full-once")
for p in full_once:
    p["events"][rng.randrange(6)] = [rng.choice(["full", "fulltemp", "fulltemp"])]
#  16 mailboxes that stay full for a while (abandoned); 2 to 6 mailings in a row
full_chronic = assign(free(lambda p: p["domain"] not in (DEAD_DOMAIN, OUTAGE_DOMAIN)), 16, "full-chronic")
for i, p in enumerate(full_chronic):
    length = [2, 3, 4, 4, 5, 3, 6, 3, 4, 2, 3, 5, 4, 3, 4, 2][i]
    end = 5 if i < 9 or length >= 5 else rng.randrange(length - 1, 5)
    temp = rng.random() < 0.5
    for m in range(end - length + 1, end + 1):
        p["events"][m] = ["fulltemp" if temp else "full"]
    if rng.random() < 0.4:
        p["last_open"] = None
#  6 addresses at the hotel whose mail server was down during the October send
outage = assign(free(lambda p: p["domain"] == OUTAGE_DOMAIN), 6, "outage")
for p in outage:
    p["events"][4] = ["expired"]
#  8 addresses whose company gateway could not reach the internal mail server
expired = assign(free(lambda p: p["domain"] in COMPANY and COMPANY[p["domain"]][2] in ("sendmail", "exim")), 8, "expired")
for p in expired:
    p["events"][rng.randrange(6)] = ["expired"]

# Complaints, 15 addresses at providers that run feedback loops.
FBL_DOMAINS = ("yahoo.com", "aol.com", "mail.ru", "yandex.ru", "gmx.de", "web.de", "orange.fr", "icloud.com")
complainers = assign(free(lambda p: p["domain"] in FBL_DOMAINS), 15, "complaint")
for p in complainers:
    p["events"][rng.randrange(6)] = ["complaint"]

# Out-of-office replies: 25 addresses, 8 of them away for two mailings.
vacationers = assign(free(lambda p: p["domain"] not in (DEAD_DOMAIN,)), 25, "vacation")
for i, p in enumerate(vacationers):
    if i < 8:
        p["events"][1] = ["vacation"]
        p["events"][2] = ["vacation"]
    else:
        p["events"][rng.choice([0, 1, 1, 2, 2, 3, 4, 5])] = ["vacation"]

# Addresses no longer in the list (changed before the export): hard bounces.
gone = []
for domain, locale, months in [("gmx.de", "de", (0, 1, 2, 3)), ("northwind-traders.example", "en", (0, 1, 2, 3, 4)),
                               ("yahoo.com", "en", (1, 2, 3)), ("rheinwerk-gmbh.example", "de", (0, 1, 2, 3, 4)),
                               ("orange.fr", "fr", (2, 3, 4, 5))]:
    g = make_person(domain, locale, domain in COMPANY)
    g["role"] = "not-in-list"
    g["signed_up"] = rand_date(dt.date(2023, 1, 9), dt.date(2025, 6, 30))
    g["last_open"] = None
    for m in months:
        g["events"][m] = ["hard"]
    gone.append(g)

# Whoever got a mailing had signed up before it.
for p in people:
    if p["events"]:
        limit = MAILINGS[min(p["events"])]["start"].date() - dt.timedelta(days=30)
        if p["signed_up"] > limit:
            p["signed_up"] = rand_date(dt.date(2023, 1, 9), limit)

# ---------------------------------------------------------------------------
# The subscriber list (with its problems)
# ---------------------------------------------------------------------------

rows = [{"email": p["email"], "first": p["first"], "last": p["last"],
         "signed_up": p["signed_up"].isoformat(),
         "last_open": p["last_open"].isoformat() if p["last_open"] else ""} for p in people]


def recase(addr, how):
    local, domain = addr.split("@")
    if how == 0:
        return ".".join(s[:1].upper() + s[1:] for s in local.split(".")) + "@" + domain
    if how == 1:
        return local + "@" + domain.upper()
    if how == 2:
        return local.upper() + "@" + domain
    return ".".join(s[:1].upper() + s[1:] for s in local.split(".")) + "@" + domain.capitalize()


duplicated = assign(free(), 4, "duplicated")
for how, p in enumerate(duplicated):
    at = next(i for i, r in enumerate(rows) if r["email"] == p["email"])
    copy = dict(rows[at], email=recase(p["email"], how),
                signed_up=rand_date(p["signed_up"], dt.date(2026, 10, 31)).isoformat(), last_open="")
    rows.insert(rng.randrange(at + 1, len(rows) + 1), copy)
for bad, first, last in [("jane.doe@", "Jane", "Doe"), ("bob at example.com", "Bob", "Hughes"),
                         ("lena.berger@web..de", "Lena", "Berger")]:
    rows.insert(rng.randrange(len(rows) + 1),
                {"email": bad, "first": first, "last": last,
                 "signed_up": rand_date(dt.date(2023, 1, 9), dt.date(2026, 10, 31)).isoformat(), "last_open": ""})
rows.insert(rng.randrange(len(rows) + 1),
            {"email": "", "first": "Grete", "last": "Sandmann",
             "signed_up": "2024-04-17", "last_open": ""})
assert len(rows) == 2000, len(rows)

# ---------------------------------------------------------------------------
# Message text helpers
# ---------------------------------------------------------------------------

ID_CHARS = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"
HEX = "0123456789abcdef"
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def rid(n, alphabet=ID_CHARS):
    return "".join(rng.choice(alphabet) for _ in range(n))


def rfc2822(t, offset_hours=0, zone_name=None, pad_day=False, minus_zero=False):
    local = t + dt.timedelta(hours=offset_hours)
    sign = "+" if offset_hours >= 0 else "-"
    zone = "-0000" if minus_zero else f"{sign}{abs(offset_hours):02}00"
    day = f"{local.day:2d}" if pad_day else f"{local.day:02d}"
    s = local.strftime("%a, ") + day + local.strftime(" %b %Y %H:%M:%S ") + zone
    if zone_name:
        s += f" ({zone_name})"
    return s


def berlin(t, pad_day=False, name=True):
    off = berlin_offset(t)
    return rfc2822(t, off, ("CEST" if off == 2 else "CET") if name else None, pad_day)


def pacific(t):
    off = pacific_offset(t)
    return rfc2822(t, off, "PDT" if off == -7 else "PST")


def utc(t, name=False):
    return rfc2822(t, 0, "UTC" if name else None)


def asctime(t):
    return t.strftime("%a %b ") + f"{t.day:2d}" + t.strftime(" %H:%M:%S %Y")


def qword(s):
    """RFC 2047 Q encoding, when needed."""
    if all(32 <= ord(c) < 127 for c in s):
        return s
    words, cur = [], ""
    for ch in s:
        b = ch.encode("utf-8")
        if ch == " ":
            enc = "_"
        elif ch.isascii() and (ch.isalnum() or ch in "!*+-/"):
            enc = ch
        else:
            enc = "".join(f"={x:02X}" for x in b)
        if len(cur) + len(enc) > 60:
            words.append(cur)
            cur = ""
        cur += enc
    words.append(cur)
    return " ".join(f"=?UTF-8?Q?{w}?=" for w in words)


def mailbox(name, addr):
    if not name:
        return addr
    enc = qword(name)
    if enc == name and any(c in name for c in ",.;:@\"()<>[]"):
        enc = '"' + name + '"'
    return f"{enc} <{addr}>"


def token(addr):
    return hashlib.sha1(("bl:" + addr.lower()).encode()).hexdigest()[:16]


def send_time(p, m):
    h = int(hashlib.sha1((p["email"] + m["campaign"]).encode()).hexdigest()[:6], 16)
    return m["start"] + dt.timedelta(seconds=h % 2700)


def original_id(p, m):
    return f"{m['campaign']}.{token(p['email'])[:12]}@news.bloom-and-leaf.example"


def original(p, m, received_by=None, full=False):
    """The newsletter as it left the sender (headers, and the body if `full`)."""
    t = send_time(p, m)
    lines = []
    if received_by:
        host, _ip, at = received_by
        lines.append(f"Return-Path: <{SENDER}>")
        lines.append(f"Received: from {OUR_MTA} ({OUR_MTA} [{OUR_IP}])\n\tby {host} with ESMTPS id "
                     f"{stable_id(host + p['email'] + m['campaign'], 12)}\n"
                     f"\tfor <{p['email']}>; {utc(at + dt.timedelta(seconds=2))}")
    lines += [
        f"Received: by {OUR_MTA} (Postfix, from userid 1002)\n\tid {stable_id(p['email'] + m['campaign'], 15)}; {berlin(t, pad_day=True)}",
        f"Date: {berlin(t, name=False)}",
        f"From: {SENDER_NAME} <{SENDER}>",
        f"To: {mailbox(p['first'] + ' ' + p['last'], p['email'])}",
        f"Subject: {m['subject']}",
        f"Message-ID: <{original_id(p, m)}>",
        f"List-Id: {LIST_ID}",
        f"List-Unsubscribe: <https://bloom-and-leaf.example/unsubscribe/{token(p['email'])}>,\n"
        f" <mailto:unsubscribe@bloom-and-leaf.example?subject=unsubscribe-{token(p['email'])}>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        f"X-Campaign-ID: {m['campaign']}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    head = "\n".join(lines) + "\n"
    if not full:
        return head
    name = p["first"]
    body = (f"\nHello {name},\n\n{INTROS[m['month']]}\n\n"
            f"From the potting shed: our opening hours stay 9-18, Monday to Saturday.\n\n"
            f"Read the whole issue online:\nhttps://bloom-and-leaf.example/newsletter/{m['campaign']}\n\n"
            f"Happy gardening,\nMarta and the Bloom & Leaf team\n\n-- \n"
            f"You receive this newsletter because you signed up at bloom-and-leaf.example.\n"
            f"Unsubscribe: https://bloom-and-leaf.example/unsubscribe/{token(p['email'])}\n")
    return head + body


def multipart(boundary, parts, preamble="This is a MIME-encapsulated message.\n"):
    out = preamble + "\n" if preamble else ""
    for headers, body in parts:
        out += f"--{boundary}\n{headers}\n\n{body}"
        if not body.endswith("\n"):
            out += "\n"
        out += "\n"
    return out + f"--{boundary}--\n"


def host_ip(host, prefix):
    """The same address for a host every time it appears."""
    return f"{prefix}.{10 + int(hashlib.sha1(host.encode()).hexdigest()[:4], 16) % 240}"


def stable_id(seed, n, alphabet=ID_CHARS):
    h = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    out = ""
    for _ in range(n):
        h, r = divmod(h, len(alphabet))
        out += alphabet[r]
    return out


# ---------------------------------------------------------------------------
# Remote answers, per provider, in the words those systems use
# ---------------------------------------------------------------------------

MX = {
    "gmail.com": "gmail-smtp-in.l.google.com",
    "yahoo.com": "mta6.am0.yahoodns.net",
    "aol.com": "mx-aol.mail.gm0.yahoodns.net",
    "outlook.com": "outlook-com.olc.protection.outlook.com",
    "hotmail.com": "hotmail-com.olc.protection.outlook.com",
    "gmx.de": "mx00.emig.gmx.net",
    "web.de": "mx-ha03.web.de",
    "orange.fr": "smtp-in.orange.fr",
    "icloud.com": "mx01.mail.icloud.com",
    "mail.ru": "mxs.mail.ru",
    "yandex.ru": "mx.yandex.ru",
}


def mx_of(domain):
    return MX.get(domain, f"mx1.{domain}")


def answer(p, kind):
    """(smtp reply line, status) a receiving server gives for this recipient."""
    a, d = p["email"], p["domain"]
    if kind == "hard":
        if d in ("yahoo.com", "aol.com"):
            return (f"554 delivery error: dd This user doesn't have a {d} account ({a}) [0] - "
                    f"mta{rng.randrange(1000, 1999)}.mail.gq1.yahoo.com", "5.0.0")
        return {
            "gmx.de": (f"550 5.1.1 Requested action not taken: mailbox unavailable", "5.1.1"),
            "web.de": (f"550 5.1.1 Requested action not taken: mailbox unavailable", "5.1.1"),
            "icloud.com": (f"550 5.1.1 <{a}>: user does not exist", "5.1.1"),
            "orange.fr": (f"550 5.1.1 <{a}>: Adresse d au moins un destinataire invalide. "
                          f"Invalid recipient. OFR_416 [416]", "5.1.1"),
            "mail.ru": (f"550 Message was not accepted -- invalid mailbox.  Local mailbox {a} "
                        f"is unavailable: user not found", "5.0.0"),
            "yandex.ru": (f"550 5.7.1 No such user!", "5.7.1"),
        }.get(d, (f"550 5.1.1 <{a}>: Recipient address rejected: User unknown in virtual "
                  f"mailbox table", "5.1.1"))
    if kind == "full":
        return {
            "gmx.de": ("552 5.2.2 Mailbox size limit exceeded", "5.2.2"),
            "web.de": ("552 5.2.2 Mailbox size limit exceeded", "5.2.2"),
            "yahoo.com": (f"552 5.2.2 Mailbox is over quota", "5.2.2"),
            "aol.com": (f"552 5.2.2 Mailbox is over quota", "5.2.2"),
            "icloud.com": (f"552 5.2.2 <{a}>: user is over quota", "5.2.2"),
            "orange.fr": (f"552 5.2.2 Boite du destinataire pleine. Recipient mailbox full. OFR_417 [417]", "5.2.2"),
            "mail.ru": (f"552 5.2.2 <{a}>: mailbox is full", "5.2.2"),
            "yandex.ru": ("552 5.2.2 Mailbox size limit exceeded", "5.2.2"),
        }.get(d, (f"552 5.2.2 <{a}>: Recipient address rejected: Mailbox full", "5.2.2"))
    if kind == "fulltemp":
        return {
            "yahoo.com": ("452 4.2.2 Mailbox is over quota, try again later", "4.2.2"),
            "aol.com": ("452 4.2.2 Mailbox is over quota, try again later", "4.2.2"),
            "mail.ru": (f"452 4.2.2 <{a}>: mailbox is full, try again later", "4.2.2"),
        }.get(d, (f"452 4.2.2 <{a}>: Recipient address rejected: Mailbox full", "4.2.2"))
    raise ValueError(kind)


BLOCK_S3150 = ("550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. Please contact your "
               "Internet service provider since part of their network is on our block list (S3150). "
               "You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. "
               "[{fe}.eop-EUR03.prod.protection.outlook.com]")
BLOCK_REPUTATION = ("550 5.7.1 Service unavailable; Client host [{ip}] rejected due to poor "
                    "reputation of the sending IP address (S3140). [{fe}.eop-EUR05.prod.protection.outlook.com]")
BLOCK_SPAMHAUS = ("550 5.7.1 Service unavailable, Client host [{ip}] blocked using Spamhaus. "
                  "To request removal from this list see https://www.spamhaus.org/query/ip/{ip} AS(1450) "
                  "[{fe}.eop-eur02.prod.protection.outlook.com]")


def frontend():
    return f"{rng.choice(['AM', 'DB', 'VI', 'HE'])}{rng.randrange(1, 9)}EUR0{rng.randrange(1, 6)}FT0{rng.randrange(10, 99)}"


# ---------------------------------------------------------------------------
# The styles
# ---------------------------------------------------------------------------

def envelope(arrival, sender, body_headers, body, delivered_by_relay=None):
    """Adds the receiving side's headers (the sender's mailbox)."""
    head = f"Return-Path: <{sender}>\nDelivered-To: {SENDER}\n"
    if delivered_by_relay:
        host, addr = delivered_by_relay
        head += (f"Received: from {host} ({host} [{addr}])\n\tby {OUR_MTA} (Postfix) with ESMTPS id "
                 f"{rid(15)}\n\tfor <{SENDER}>; {berlin(arrival, pad_day=True)}\n")
    return head + body_headers + "\n" + body


def postfix(p, m, kind, arrival, warning=False, reporting=None, block="s3150"):
    """Postfix: RFC 3464 DSN with the human part, the report and the headers."""
    reporting = reporting or OUR_MTA
    ours = reporting == OUR_MTA
    a = p["email"]
    qid = rid(15 if ours else 11, ID_CHARS if ours else "0123456789ABCDEF")
    t_sent = send_time(p, m)
    boundary = f"{qid}.{int(arrival.timestamp())}/{reporting}"
    remote = None
    command = "RCPT TO"
    if kind == "dead":
        smtp = None
        status = "5.4.4"
        diag = f"X-Postfix; Host or domain name not found. Name service error for name={p['domain']} type=MX: Host not found"
        human = wrap(f"<{a}>: Host or domain name not found. Name service error for name={p['domain']} "
                     "type=MX: Host not found", 4)
    elif kind == "expired":
        host = f"mail.{p['domain']}"
        addr = host_ip(host, "198.51.100")
        status = "4.4.1"
        diag = f"X-Postfix; connect to {host}[{addr}]:25: Connection timed out"
        human = wrap(f"<{a}>: connect to {host}[{addr}]:25: Connection timed out", 4)
    else:
        if kind == "blocked":
            tmpl = BLOCK_REPUTATION if block == "reputation" else BLOCK_S3150
            smtp, status = tmpl.format(ip=OUR_IP, fe=frontend()), "5.7.1"
            command = "MAIL FROM" if tmpl is BLOCK_REPUTATION else "RCPT TO"
        elif ours:
            smtp, status = answer(p, kind)
        else:  # a company gateway relaying to its internal store
            smtp, status = {
                "hard": (f"550 5.1.1 <{a}>: Recipient address rejected: User unknown in local recipient table", "5.1.1"),
                "full": (f"552 5.2.2 <{a}>: Recipient address rejected: Mailbox full", "5.2.2"),
                "fulltemp": (f"452 4.2.2 <{a}>: Recipient address rejected: Mailbox full", "4.2.2"),
            }[kind]
        host = mx_of(p["domain"]) if ours else f"store.{p['domain']}"
        remote = (host, host_ip(host, "198.51.100") if ours else host_ip(host, "192.0.2"))
        diag = f"smtp; {smtp}"
        wrapped = wrap(f"<{a}>: host {host}[{remote[1]}] said: {smtp} (in reply to {command} command)", 4)
        human = wrapped
    if warning:
        subject = "Delayed Mail (still being retried)"
        intro = ("####################################################################\n"
                 "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
                 "####################################################################\n\n"
                 f"This is the mail system at host {reporting}.\n\n"
                 "Your message could not be delivered for more than 4 hour(s).\n"
                 "It will be retried until it is 1 day(s) old.\n\n"
                 "For further assistance, please send mail to postmaster.\n\n"
                 "If you do so, please include this problem report. You can\n"
                 "delete your own text from the attached returned message.\n\n"
                 "                   The mail system\n\n")
        action = "delayed"
    else:
        subject = "Undelivered Mail Returned to Sender"
        intro = (f"This is the mail system at host {reporting}.\n\n"
                 "I'm sorry to have to inform you that your message could not\n"
                 "be delivered to one or more recipients. It's attached below.\n\n"
                 "For further assistance, please send mail to postmaster.\n\n"
                 "If you do so, please include this problem report. You can\n"
                 "delete your own text from the attached returned message.\n\n"
                 "                   The mail system\n\n")
        action = "failed"
    report = (f"Reporting-MTA: dns; {reporting}\nX-Postfix-Queue-ID: {qid}\n"
              f"X-Postfix-Sender: rfc822; {SENDER}\n"
              f"Arrival-Date: {berlin(t_sent if ours else t_sent + dt.timedelta(seconds=40), name=False)}\n\n"
              f"Final-Recipient: rfc822; {a}\nOriginal-Recipient: rfc822;{a}\n"
              f"Action: {action}\nStatus: {status}\n")
    if remote:
        report += f"Remote-MTA: dns; {remote[0]}\n"
    report += f"Diagnostic-Code: {wrap(diag, 4)}\n"
    if warning:
        report += f"Will-Retry-Until: {berlin(t_sent + dt.timedelta(days=1), name=False)}\n"
    received_by = None if ours else (f"mx1.{p['domain']}", None, t_sent)
    body = multipart(boundary, [
        ("Content-Description: Notification\nContent-Type: text/plain; charset=us-ascii", intro + human + "\n"),
        ("Content-Description: Delivery report\nContent-Type: message/delivery-status", report),
        ("Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers",
         original(p, m, received_by)),
    ])
    mid = f"{arrival.strftime('%Y%m%d%H%M%S')}.{rid(15)}@{reporting}"
    headers = (
        (f"Received: by {reporting} (Postfix)\n\tid {qid}; {berlin(arrival, pad_day=True)}\n" if ours else "")
        + f"Date: {berlin(arrival, pad_day=True)}\n"
        f"From: MAILER-DAEMON@{reporting} (Mail Delivery System)\n"
        f"Subject: {subject}\nTo: {SENDER}\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
        f"Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"{boundary}\"\n"
        "Content-Transfer-Encoding: 8bit\n"
        f"Message-Id: <{mid}>\n")
    relay = None if ours else (reporting, host_ip(reporting, "198.51.100"))
    return envelope(arrival, "", headers, body, relay)


def wrap(text, indent):
    """Folds a long line the way Postfix does (at spaces, 79 columns)."""
    words, lines, cur = text.split(" "), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > 79 - (indent if lines else 0):
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    lines.append(cur)
    return ("\n" + " " * indent).join(lines)


def exim(p, m, kind, arrival):
    """Exim: plain text, X-Failed-Recipients, a full copy of the message."""
    a, d = p["email"], p["domain"]
    host = f"mail.{d}"
    store = f"exchange01.{d}"
    store_ip = host_ip(store, "192.0.2")
    if kind == "hard":
        detail = (f"    host {store} [{store_ip}]\n"
                  f"    SMTP error from remote mail server after RCPT TO:<{a}>:\n"
                  f"    550 5.1.1 <{a}>: Recipient address rejected: User unknown")
    elif kind in ("full", "fulltemp"):
        if rng.random() < 0.5:
            detail = (f"    host {store} [{store_ip}]\n"
                      f"    SMTP error from remote mail server after RCPT TO:<{a}>:\n"
                      f"    552 5.2.2 <{a}>: Mailbox full")
        else:
            detail = f"    mailbox is full (MTA-imposed quota exceeded while writing to file /var/mail/{a.split('@')[0]})"
    elif kind == "expired":
        detail = "    retry timeout exceeded"
    else:
        raise ValueError(kind)
    sent = send_time(p, m)
    body = ("This message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its\n"
            "recipients. This is a permanent error. The following address(es) failed:\n\n"
            f"  {a}\n{detail}\n\n"
            "------ This is a copy of the message, including all the headers. ------\n\n"
            + original(p, m, (host, None, sent), full=True))
    eid = f"1{rid(5, B62)}-{rid(6, B62)}-{rid(2, B62)}"
    off = berlin_offset(arrival) if COMPANY[d][1] in ("de", "it", "nl") else 0
    headers = (f"Received: from Debian-exim by {host} with local (Exim 4.96)\n\tid {eid}\n"
               f"\tfor {SENDER}; {rfc2822(arrival, off)}\n"
               f"X-Failed-Recipients: {a}\nAuto-Submitted: auto-replied\n"
               f"From: Mail Delivery System <Mailer-Daemon@{host}>\nTo: {SENDER}\n"
               "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
               "Subject: Mail delivery failed: returning message to sender\n"
               f"Message-Id: <E{eid}@{host}>\nDate: {rfc2822(arrival, off)}\n")
    return envelope(arrival, "", headers, body, (host, host_ip(host, "198.51.100")))


def qmail(p, m, kind, arrival):
    """qmail: "Hi. This is the qmail-send program", a copy of the message."""
    a, d = p["email"], p["domain"]
    host = f"mail.{d}"
    store_ip = host_ip(f"store.{d}", "192.0.2")
    if kind == "hard":
        if rng.random() < 0.5:
            detail = "Sorry, no mailbox here by that name. (#5.1.1)\n"
        else:
            detail = (f"{store_ip} does not like recipient.\n"
                      f"Remote host said: 550 5.1.1 <{a}>... User unknown\n"
                      f"Giving up on {store_ip}.\n")
    elif kind in ("full", "fulltemp"):
        detail = "The users mailfolder is over the allowed quota (size). (#5.2.2)\n"
    else:
        raise ValueError(kind)
    sent = send_time(p, m)
    body = (f"Hi. This is the qmail-send program at {host}.\n"
            "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
            "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
            f"<{a}>:\n{detail}\n"
            "--- Below this line is a copy of the message.\n\n"
            + original(p, m, (host, None, sent), full=True))
    qpid = rng.randrange(10000, 99999)
    qdate = f"{arrival.day} " + arrival.strftime("%b %Y %H:%M:%S") + " -0000"
    headers = (f"Received: (qmail {qpid} invoked for bounce); {qdate}\n"
               f"Date: {qdate}\n"
               f"From: MAILER-DAEMON@{host}\nTo: {SENDER}\nSubject: failure notice\n"
               f"Message-ID: <{int(arrival.timestamp())}.{qpid}.qmail@{host}>\n"
               "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n")
    return envelope(arrival, "", headers, body, (host, host_ip(host, "198.51.100")))


def sendmail(p, m, kind, arrival, warning=False):
    """Sendmail: DSN with "The following addresses had permanent fatal errors"."""
    a, d = p["email"], p["domain"]
    host = f"mailgw.{d}"
    inner = f"mailstore.{d}"
    sent = send_time(p, m)
    received = sent + dt.timedelta(seconds=rng.randrange(3, 40))
    off = berlin_offset(arrival) if COMPANY[d][1] in ("de", "pl") else 0
    sid = f"{arrival.strftime('%y')}{rid(2, B62)}{rid(4, B62)}{rid(6, '0123456789')}"
    if kind == "hard":
        reason = f"550 5.1.1 <{a}>... User unknown"
        transcript = (f"... while talking to {inner}.:\n>>> RCPT To:<{a}>\n<<< {reason}\n"
                      f"550 5.1.1 <{a}>... User unknown\n")
        status, diag, action = "5.1.1", f"SMTP; {reason}", "failed"
        remote = inner
    elif kind in ("full", "fulltemp"):
        reason = f"552 5.2.2 <{a}>... Mailbox full"
        transcript = (f"... while talking to {inner}.:\n>>> RCPT To:<{a}>\n<<< {reason}\n"
                      f"552 5.2.2 <{a}>... Mailbox full\n")
        status, diag, action = "5.2.2", f"SMTP; {reason}", "failed"
        remote = inner
    elif kind == "expired" and warning:
        reason = None
        transcript = (f"{a}... Deferred: Connection timed out with {inner}.\n"
                      "Warning: message still undelivered after 4 hours\n"
                      "Will keep trying until message is 1 day old\n")
        status, diag, action = "4.4.1", None, "delayed"
        remote = None
    elif kind == "expired":
        reason = "Connection timed out"
        transcript = (f"{a}... Deferred: Connection timed out with {inner}.\n"
                      "Message could not be delivered for 1 day\n"
                      "Message will be deleted from queue\n")
        status, diag, action = "4.4.7", None, "failed"
        remote = None
    else:
        raise ValueError(kind)
    boundary = f"{sid}.{int(arrival.timestamp())}/{host}"
    if warning:
        text = ("    **********************************************\n"
                "    **      THIS IS A WARNING MESSAGE ONLY      **\n"
                "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n"
                "    **********************************************\n\n"
                f"The original message was received at {rfc2822(received, off)}\n"
                f"from {OUR_MTA} [{OUR_IP}]\n\n"
                "   ----- Transcript of session follows -----\n" + transcript)
    else:
        text = (f"The original message was received at {rfc2822(received, off)}\n"
                f"from {OUR_MTA} [{OUR_IP}]\n\n"
                "   ----- The following addresses had permanent fatal errors -----\n"
                f"<{a}>\n    (reason: {reason})\n\n"
                "   ----- Transcript of session follows -----\n" + transcript)
    report = (f"Reporting-MTA: dns; {host}\nReceived-From-MTA: DNS; {OUR_MTA}\n"
              f"Arrival-Date: {rfc2822(received, off)}\n\n"
              f"Final-Recipient: RFC822; {a}\nAction: {action}\nStatus: {status}\n")
    if remote:
        report += f"Remote-MTA: DNS; {remote}\n"
    if diag:
        report += f"Diagnostic-Code: {diag}\n"
    report += f"Last-Attempt-Date: {rfc2822(arrival, off)}\n"
    if warning:
        report += f"Will-Retry-Until: {rfc2822(received + dt.timedelta(days=1), off)}\n"
    body = multipart(boundary, [
        ("Content-Type: text/plain; charset=us-ascii", text),
        ("Content-Type: message/delivery-status", report),
        ("Content-Type: text/rfc822-headers" if warning else "Content-Type: message/rfc822",
         original(p, m, (host, None, sent), full=not warning)),
    ])
    headers = (f"Received: from localhost (localhost)\n\tby {host} (8.18.1/8.18.1) id {sid};\n"
               f"\t{rfc2822(arrival, off)}\n"
               f"Date: {rfc2822(arrival, off)}\nFrom: Mail Delivery Subsystem <MAILER-DAEMON@{host}>\n"
               f"Message-Id: <{arrival.strftime('%Y%m%d%H%M')}.{sid}@{host}>\nTo: <{SENDER}>\n"
               "MIME-Version: 1.0\n"
               f"Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"{boundary}\"\n"
               + ("Subject: Warning: could not send message for past 4 hours\n"
                  "Auto-Submitted: auto-generated (warning-timeout)\n" if warning else
                  "Subject: Returned mail: see transcript for details\n"
                  "Auto-Submitted: auto-generated (failure)\n"))
    return envelope(arrival, "", headers, body, (host, host_ip(host, "198.51.100")))


def gmail(p, m, kind, arrival, warning=False):
    """Gmail: "Delivery Status Notification (Failure)" (or "(Delay)") with a DSN."""
    a, d = p["email"], p["domain"]
    sent = send_time(p, m)
    gsmtp = f"{rid(18, 'abcdefghijklmnopqrstuvwxyz0123456789')}.{rng.randrange(100, 999)} - gsmtp"
    remote_host = mx_of(d) if d == "gmail.com" else f"aspmx.l.google.com"
    remote_ip = host_ip(remote_host, "198.51.100")
    if kind == "hard":
        title = "** Address not found **"
        lead = (f"Your message wasn't delivered to {a} because the address couldn't be found, "
                "or is unable to receive mail.\n\nLearn more here: https://support.google.com/mail/?p=NoSuchUser")
        smtp = ("550-5.1.1 The email account that you tried to reach does not exist. Please try\n"
                "550-5.1.1 double-checking the recipient's email address for typos or\n"
                "550-5.1.1 unnecessary spaces. For more information, go to\n"
                f"550 5.1.1  https://support.google.com/mail/?p=NoSuchUser {gsmtp}")
        status = "5.1.1"
        response = ("The email account that you tried to reach does not exist. Please try double-checking "
                    "the recipient's email address for typos or unnecessary spaces. For more information, "
                    "go to https://support.google.com/mail/?p=NoSuchUser")
    elif kind in ("full", "fulltemp"):
        code = "552" if kind == "full" else "452"
        status = "5.2.2" if kind == "full" else "4.2.2"
        title = "** Message not delivered **"
        lead = (f"There was a problem delivering your message to {a}. "
                "The recipient's inbox is out of storage space.")
        if kind == "full":
            smtp = (f"{code}-{status} The recipient's inbox is out of storage space and inactive. Please\n"
                    f"{code}-{status} direct the recipient to\n"
                    f"{code} {status}  https://support.google.com/mail/?p=OverQuotaPerm {gsmtp}")
            response = ("The recipient's inbox is out of storage space and inactive. "
                        "Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm")
        else:
            smtp = (f"{code}-{status} The recipient's inbox is out of storage space. Please direct the\n"
                    f"{code}-{status} recipient to\n"
                    f"{code} {status}  https://support.google.com/mail/?p=OverQuotaTemp {gsmtp}")
            response = ("The recipient's inbox is out of storage space. "
                        "Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp")
        if warning:
            title = "** Delivery incomplete **"
            lead = (f"There was a temporary problem delivering your message to {a}. Gmail will retry "
                    "for 20 more hours. You'll be notified if the delivery fails permanently.")
    else:
        raise ValueError(kind)
    text = f"\n{title}\n\n{lead}\n\nThe response was:\n\n{response}\n"
    boundary = "0000000000" + rid(16, HEX)
    alt = "0000000000" + rid(16, HEX)
    text_part = multipart(alt, [("Content-Type: text/plain; charset=\"UTF-8\"", text)], preamble=None)
    report = (f"Reporting-MTA: dns; googlemail.com\nReceived-From-MTA: dns; {OUR_MTA}\n"
              f"Arrival-Date: {pacific(sent + dt.timedelta(seconds=1))}\n"
              f"X-Original-Message-ID: <{original_id(p, m)}>\n\n"
              f"Final-Recipient: rfc822; {a}\nAction: {'delayed' if warning else 'failed'}\nStatus: {status}\n"
              f"Remote-MTA: dns; {remote_host}. ({remote_ip}, the server for the domain {d}.)\n"
              f"Diagnostic-Code: smtp; {smtp.replace(chr(10), chr(10) + ' ')}\n"
              f"Last-Attempt-Date: {pacific(arrival)}\n")
    if warning:
        report += f"Will-Retry-Until: {pacific(sent + dt.timedelta(days=1))}\n"
    body = multipart(boundary, [
        (f"Content-Type: multipart/alternative; boundary=\"{alt}\"", text_part),
        ("Content-Type: message/delivery-status", report),
        ("Content-Type: message/rfc822", original(p, m, ("mx.google.com", OUR_IP, sent), full=True)),
    ], preamble=None)
    headers = (f"Received: by 2002:a05:{rid(4, HEX)}:{rid(4, HEX)}:b0:{rid(3, HEX)}:{rid(4, HEX)}:{rid(4, HEX)} "
               f"with SMTP id {rid(20, 'abcdefghijklmnopqrstuvwxyz0123456789')};\n\t{pacific(arrival)}\n"
               f"Content-Type: multipart/report; boundary=\"{boundary}\"; report-type=delivery-status\n"
               f"From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: {SENDER}\n"
               + ("" if warning else f"X-Failed-Recipients: {a}\n")
               + f"Subject: Delivery Status Notification ({'Delay' if warning else 'Failure'})\n"
               f"References: <{original_id(p, m)}>\nIn-Reply-To: <{original_id(p, m)}>\n"
               f"Message-ID: <{rid(8, HEX)}.{rid(6, HEX)}.{rid(5, HEX)}.{rid(4, HEX)}GMR@mx.google.com>\n"
               f"Date: {pacific(arrival)}\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n")
    return envelope(arrival, "", headers, body, ("mail-sor-f41.google.com", host_ip("mail-sor-f41.google.com", "198.51.100")))


def office365(p, m, kind, arrival):
    """Office 365 / Outlook.com NDR: "Undeliverable: ..." with a DSN."""
    a, d = p["email"], p["domain"]
    consumer = d in MS_DOMAINS
    sent = send_time(p, m)
    server = f"{rng.choice(['DB8PR', 'AM9PR', 'PA4PR', 'VI1PR'])}{rng.randrange(1, 10):02}MB{rng.randrange(1000, 9999)}.eurprd{rng.randrange(1, 10):02}.prod.outlook.com"
    if kind == "hard":
        if consumer:
            why = ("The email address you entered couldn't be found. Please check the recipient's email "
                   "address and try to resend the message. If the problem continues, please contact your helpdesk.")
            smtp = f"550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [{frontend()}.eop-EUR03.prod.protection.outlook.com]"
            status = "5.5.0"
        else:
            why = (f"{a} wasn't found at {d}.")
            smtp = f"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient {a} not found by SMTP address lookup"
            status = "5.1.10"
    elif kind in ("full", "fulltemp"):
        why = ("The recipient's mailbox is full and can't accept messages now. Please try resending your "
               "message later, or contact the recipient directly.")
        smtp = ("554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException."
                "MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception "
                "with message [BeginDiagnosticData]Cannot open mailbox.[EndDiagnosticData]")
        status = "5.2.2"
    elif kind == "blocked":
        why = ("Your message wasn't delivered because the recipient's email provider rejected it.")
        smtp = BLOCK_SPAMHAUS.format(ip=OUR_IP, fe=frontend())
        status = "5.7.1"
    else:
        raise ValueError(kind)
    text = ("Delivery has failed to these recipients or groups:\n\n"
            f"{a}<mailto:{a}>\n{why}\n\n\n\n\n\n\nDiagnostic information for administrators:\n\n"
            f"Generating server: {server}\n\n{a}\nRemote Server returned '{smtp}'\n\n"
            "Original message headers:\n\n" + original(p, m, (server, OUR_IP, sent)))
    outer = f"_000_{rid(40, HEX + 'ABCDEF')}_"
    alt = outer.replace("_000_", "_002_", 1)
    text_part = multipart(alt, [("Content-Type: text/plain; charset=\"us-ascii\"\nContent-Transfer-Encoding: 8bit",
                                 text)], preamble=None)
    report = (f"Reporting-MTA: dns;{server}\nReceived-From-MTA: dns;{OUR_MTA}\n"
              f"Arrival-Date: {utc(sent + dt.timedelta(seconds=3))}\n\n"
              f"Final-Recipient: rfc822;{a}\nAction: failed\nStatus: {status}\n"
              f"Diagnostic-Code: smtp;{smtp}\n")
    body = multipart(outer, [
        (f"Content-Type: multipart/alternative; differences=Content-Type;\n\tboundary=\"{alt}\"", text_part),
        ("Content-Type: message/delivery-status", report),
        ("Content-Type: message/rfc822", original(p, m, (server, OUR_IP, sent), full=True)),
    ], preamble=None)
    frm = "postmaster@outlook.com" if consumer else \
        f"Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@{d}>"
    uuid = f"{rid(8, HEX)}-{rid(4, HEX)}-{rid(4, HEX)}-{rid(4, HEX)}-{rid(12, HEX)}"
    headers = ("MIME-Version: 1.0\n"
               f"From: {frm}\nTo: {SENDER}\nDate: {utc(arrival)}\n"
               f"Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"{outer}\"\n"
               "X-MS-Exchange-Message-Is-Ndr:\nContent-Language: en-US\n"
               f"Message-ID: <{uuid}@{server}>\n"
               f"In-Reply-To: <{original_id(p, m)}>\nReferences: <{original_id(p, m)}>\n"
               f"Subject: Undeliverable: {m['subject']}\nAuto-Submitted: auto-replied\n")
    relay = f"{rng.choice(['EUR05', 'EUR03', 'EUR02'])}-{rng.choice(['AM6', 'DB8', 'VI1'])}-obe.outbound.protection.outlook.com"
    return envelope(arrival, "", headers, body, (relay, host_ip(relay, "192.0.2")))


FBLS = {
    "yahoo.com": ("Example ISP Feedback Loop", "feedback@fbl.example-isp.example", "fbl.example-isp.example"),
    "aol.com": ("Example ISP Feedback Loop", "feedback@fbl.example-isp.example", "fbl.example-isp.example"),
    "mail.ru": ("Complaint Feedback Loop", "fbl@complaints.mailbox-provider.example", "complaints.mailbox-provider.example"),
    "yandex.ru": ("Complaint Feedback Loop", "fbl@complaints.mailbox-provider.example", "complaints.mailbox-provider.example"),
    "gmx.de": ("Webmail Feedback", "arf@feedback.webmail-group.example", "feedback.webmail-group.example"),
    "web.de": ("Webmail Feedback", "arf@feedback.webmail-group.example", "feedback.webmail-group.example"),
    "orange.fr": ("Example ISP Feedback Loop", "feedback@fbl.example-isp.example", "fbl.example-isp.example"),
    "icloud.com": ("Example ISP Feedback Loop", "feedback@fbl.example-isp.example", "fbl.example-isp.example"),
}


def arf(p, m, arrival):
    """RFC 5965 feedback report (a spam complaint)."""
    name, addr, host = FBLS[p["domain"]]
    sent = send_time(p, m)
    received = sent + dt.timedelta(seconds=rng.randrange(2, 60))
    boundary = f"----=_ARF_{rid(12, HEX)}"
    text = (f"This is an email abuse report for an email message received from IP\n{OUR_IP} on "
            f"{utc(received)}.\nA user of ours marked this message as spam.\n"
            "For more information about this format please see\nhttps://www.rfc-editor.org/rfc/rfc5965\n")
    report = ("Feedback-Type: abuse\nUser-Agent: ExampleFBL/3.1\nVersion: 1\n"
              f"Original-Mail-From: <{SENDER}>\nOriginal-Rcpt-To: <{p['email']}>\n"
              f"Arrival-Date: {utc(received)}\nReporting-MTA: dns; {host}\nSource-IP: {OUR_IP}\n"
              "Reported-Domain: bloom-and-leaf.example\n")
    body = multipart(boundary, [
        ("Content-Type: text/plain; charset=\"US-ASCII\"\nContent-Transfer-Encoding: 7bit", text),
        ("Content-Type: message/feedback-report", report),
        ("Content-Type: message/rfc822\nContent-Disposition: inline",
         original(p, m, (f"mx.{host}", OUR_IP, sent), full=True)),
    ], preamble="This is a multi-part message in MIME format.\n")
    headers = (f"Date: {utc(arrival)}\nFrom: {name} <{addr}>\nTo: abuse@bloom-and-leaf.example\n"
               f"Subject: Abuse report: {m['subject']}\n"
               f"Message-ID: <arf.{arrival.strftime('%Y%m%d%H%M%S')}.{rng.randrange(10000, 99999)}@{host}>\n"
               "MIME-Version: 1.0\n"
               f"Content-Type: multipart/report; report-type=feedback-report;\n\tboundary=\"{boundary}\"\n")
    return envelope(arrival, addr, headers, body, (f"out.{host}", host_ip(f"out.{host}", "192.0.2")))


VACATION_TEXT = {
    "de": ("Abwesenheitsnotiz", "Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich {until} nicht im Büro\n"
           "und lese in dieser Zeit keine E-Mails. Ihre Nachricht wird nicht weitergeleitet.\n\n"
           "Mit freundlichen Grüßen\n{name}\n"),
    "fr": ("Réponse automatique", "Bonjour,\n\nJe suis absente jusqu'au {until} inclus, sans accès à mes e-mails.\n"
           "Je vous répondrai dès mon retour.\n\nCordialement,\n{name}\n"),
    "es": ("Respuesta automática", "Gracias por su mensaje. Estoy fuera de la oficina hasta el {until}\n"
           "y contestaré a mi regreso.\n\nUn saludo,\n{name}\n"),
    "en": ("Automatic reply", "Thank you for your email. I am out of the office until {until} with no\n"
           "access to email. I will reply when I am back.\n\nKind regards,\n{name}\n"),
}


def vacation(p, m, arrival, variant):
    """An out-of-office reply (RFC 3834), quoting or attaching the newsletter."""
    lang = p["locale"] if p["locale"] in VACATION_TEXT else "en"
    prefix, text = VACATION_TEXT[lang]
    if lang == "en" and variant % 2:
        prefix = "Out of Office"
    until = (m["start"] + dt.timedelta(days=rng.randrange(4, 18))).date()
    until_s = {"de": until.strftime("%d.%m.%Y"), "fr": until.strftime("%d/%m/%Y"),
               "es": until.strftime("%d/%m/%Y")}.get(lang, until.strftime("%A %d %B"))
    body = text.format(until=until_s, name=f"{p['first']} {p['last']}")
    subject = qword(f"{prefix}: {m['subject']}")
    domain = p["domain"]
    mid = f"<{rid(10, HEX)}.{rid(6, HEX)}@{'mail.' + domain if domain in COMPANY else domain}>"
    common = (f"Date: {berlin(arrival, name=False)}\nFrom: {mailbox(p['first'] + ' ' + p['last'], p['email'])}\n"
              f"To: {SENDER}\nSubject: {subject}\nMessage-ID: {mid}\n"
              f"In-Reply-To: <{original_id(p, m)}>\nReferences: <{original_id(p, m)}>\n"
              "Auto-Submitted: auto-replied\n")
    if domain in MS_DOMAINS or COMPANY.get(domain, ("", "", ""))[2] == "office365":
        common += "X-Auto-Response-Suppress: All\n"
    else:
        common += "Precedence: bulk\n"
    common += "MIME-Version: 1.0\n"
    if variant == 0:  # the newsletter attached
        boundary = f"=_av-{rid(20, B62)}"
        headers = common + f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\n"
        body = multipart(boundary, [
            ("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit", body),
            ("Content-Type: message/rfc822\nContent-Disposition: attachment", original(p, m, full=True)),
        ], preamble="This is a multi-part message in MIME format.\n")
    elif variant in (1, 2, 3):  # the newsletter's headers quoted below the reply
        headers = common + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
        body = body + "\n----- Original Message -----\n" + original(p, m)
    else:  # nothing of the newsletter but the In-Reply-To
        headers = common + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
    relay_host = f"mail.{domain}" if domain in COMPANY else f"smtp-out.{domain}"
    relay = (relay_host, host_ip(relay_host, "198.51.100"))
    return envelope(arrival, p["email"], headers, body, relay)


# ---------------------------------------------------------------------------
# Build every message
# ---------------------------------------------------------------------------

messages = []  # (arrival, seq, envelope sender, text, label)


def add(arrival, sender, text, label, recipient, kind, reason):
    messages.append((arrival, len(messages), sender, text, label, recipient, kind, reason))


STYLE_FN = {"postfix": postfix, "exim": exim, "qmail": qmail, "sendmail": sendmail,
            "gmail": gmail, "office365": office365}


def delay(lo, hi):
    return dt.timedelta(seconds=rng.randrange(lo, hi))


everyone = people + gone
for p in everyone:
    for mi in sorted(p["events"]):
        m = MAILINGS[mi]
        sent = send_time(p, m)
        for kind in p["events"][mi]:
            style = p["style"]
            if kind == "dead":
                arr = sent + delay(20, 300)
                add(arr, "MAILER-DAEMON", postfix(p, m, "dead", arr), "postfix", p["email"], "hard", "hostunknown")
            elif kind == "hard":
                if style == "postfix" and p["domain"] in COMPANY:
                    arr = sent + delay(60, 1800)
                    text = postfix(p, m, "hard", arr, reporting=f"mx1.{p['domain']}")
                else:
                    arr = sent + delay(5, 1200)
                    text = STYLE_FN[style](p, m, "hard", arr)
                add(arr, "MAILER-DAEMON", text, style, p["email"], "hard", "userunknown")
            elif kind in ("full", "fulltemp"):
                reporting = f"mx1.{p['domain']}" if (style == "postfix" and p["domain"] in COMPANY) else None
                if kind == "fulltemp" and style in ("postfix", "gmail"):
                    warn = sent + delay(4 * 3600, 4 * 3600 + 1500)
                    text = (postfix(p, m, kind, warn, warning=True, reporting=reporting) if style == "postfix"
                            else gmail(p, m, kind, warn, warning=True))
                    add(warn, "MAILER-DAEMON", text, style + "-delay", p["email"], "soft", "mailboxfull")
                    arr = sent + delay(86400, 86400 + 1800)
                else:
                    arr = sent + delay(5, 3600)
                fn = STYLE_FN[style]
                text = fn(p, m, kind, arr, reporting=reporting) if style == "postfix" else fn(p, m, kind, arr)
                add(arr, "MAILER-DAEMON", text, style, p["email"], "soft", "mailboxfull")
            elif kind == "expired":
                if p["domain"] == OUTAGE_DOMAIN:
                    warn = sent + delay(4 * 3600, 4 * 3600 + 1500)
                    add(warn, "MAILER-DAEMON", postfix(p, m, "expired", warn, warning=True),
                        "postfix-delay", p["email"], "soft", "networkerror")
                    arr = sent + delay(86400, 86400 + 1800)
                    add(arr, "MAILER-DAEMON", postfix(p, m, "expired", arr), "postfix", p["email"], "soft", "expired")
                else:
                    if style == "sendmail":
                        warn = sent + delay(4 * 3600, 4 * 3600 + 1500)
                        add(warn, "MAILER-DAEMON", sendmail(p, m, "expired", warn, warning=True),
                            "sendmail-delay", p["email"], "soft", "networkerror")
                    arr = sent + delay(86400, 86400 + 3600)
                    add(arr, "MAILER-DAEMON", STYLE_FN[style](p, m, "expired", arr), style,
                        p["email"], "soft", "expired")
            elif kind == "blocked":
                arr = sent + delay(2, 90)
                variant = rng.choice(["spamhaus", "s3150", "s3150", "s3150", "reputation"])
                if variant == "spamhaus":
                    text, st = office365(p, m, "blocked", arr), "office365"
                else:
                    text, st = postfix(p, m, "blocked", arr, block=variant), "postfix"
                add(arr, "MAILER-DAEMON", text, st, p["email"], "soft",
                    "badreputation" if variant == "reputation" else "blocked")
            elif kind == "complaint":
                arr = sent + delay(1800, 86000)
                add(arr, FBLS[p["domain"]][1], arf(p, m, arr), "arf", p["email"], "complaint", "feedback")
            elif kind == "vacation":
                arr = sent + delay(20, 900)
                variant = (vacationers.index(p) + mi) % 5
                add(arr, p["email"], vacation(p, m, arr, variant), "vacation", p["email"], "auto_reply", "vacation")
            else:
                raise ValueError(kind)

messages.sort(key=lambda x: (x[0], x[1]))


def mbox_escape(text):
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip(">")
        if stripped.startswith("From "):
            line = ">" + line
        out.append(line)
    return "\n".join(out)


os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "bounces.mbox"), "w", encoding="utf-8", newline="\n") as f:
    for arrival, _, sender, text, *_ in messages:
        f.write(f"From {sender} {asctime(arrival)}\n")
        body = mbox_escape(text)
        if not body.endswith("\n"):
            body += "\n"
        f.write(body + "\n")

with open(os.path.join(OUT, "subscribers.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["email", "first_name", "last_name", "signed_up", "last_open"])
    for r in rows:
        w.writerow([r["email"], r["first"], r["last"], r["signed_up"], r["last_open"]])

# The expected events, in the order the files list them (for checking the app).
with open(os.path.join(OUT, "expected.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["index", "recipient", "kind", "reason", "mailing", "style"])
    for i, (_, _, _, text, label, rcpt, kind, reason) in enumerate(messages):
        campaign = next(mm["campaign"] for mm in MAILINGS if f"<{mm['campaign']}." in text)
        w.writerow([i, rcpt, kind, reason, campaign, label])

# ---------------------------------------------------------------------------
# Expected figures: the cleaning rule of docs (3 consecutive hard bounces,
# no bounce in a newsletter mailing counts as delivered, auto-replies and
# full mailboxes break a streak, sender-side refusals are skipped)
# ---------------------------------------------------------------------------

OUTCOME_RANK = {"alive": 0, "neutral": 1, "transient": 2, "mailbox": 3, "hard": 4, "complaint": 5}
OUTCOME_OF = {"hard": "hard", "dead": "hard", "full": "mailbox", "fulltemp": "mailbox",
              "expired": "transient", "blocked": "neutral", "complaint": "complaint", "vacation": "alive"}


def verdict(p, use_activity):
    streak, removed, complaint, recent = 0, False, False, []
    pending = p["last_open"] if use_activity else None
    for mi, m in enumerate(MAILINGS):
        if pending is not None and dt.datetime(pending.year, pending.month, pending.day, tzinfo=UTC) < m["start"]:
            streak, pending = 0, None
        kinds = p["events"].get(mi)
        o = max((OUTCOME_OF[k] for k in kinds), key=OUTCOME_RANK.get) if kinds else None
        recent.append(o)
        if o == "complaint":
            complaint = True
        elif o == "hard":
            streak += 1
            removed |= streak >= 3
        elif o in ("mailbox", "alive"):
            streak = 0
        elif o is None and not removed:
            streak = 0
    soft_recent = sum(1 for o in recent[-3:] if o in ("mailbox", "transient"))
    if complaint:
        return "remove_complaint"
    if removed:
        return "remove_hard"
    if 1 <= streak < 3 or soft_recent >= 2:
        return "watch"
    return "keep"


def figures(use_activity):
    by_addr = {p["email"].lower(): verdict(p, use_activity) for p in people}
    seen, row_verdicts = {}, Counter()
    for r in rows:
        key = r["email"].strip().lower()
        if not r["email"] or key in ("jane.doe@", "bob at example.com", "lena.berger@web..de"):
            row_verdicts["remove_invalid"] += 1
            continue
        v = by_addr[key]
        if v.startswith("remove"):
            row_verdicts[v] += 1
        elif key in seen:
            row_verdicts["remove_duplicate"] += 1
        else:
            row_verdicts[v] += 1
        seen[key] = True
    return by_addr, row_verdicts


addr_verdicts, row_verdicts = figures(False)
_, row_verdicts_activity = figures(True)
assert row_verdicts == row_verdicts_activity, (row_verdicts, row_verdicts_activity)

kind_counts = Counter(x[6] for x in messages)
reason_counts = Counter((x[6], x[7]) for x in messages)
style_counts = Counter(x[4] for x in messages)
per_mailing = Counter()
for x in messages:
    text = x[3]
    for m in MAILINGS:
        if f"<{m['campaign']}." in text:
            per_mailing[m["campaign"]] += 1
            break
watch_hard = sum(1 for p in people if addr_verdicts[p["email"].lower()] == "watch" and p["role"] == "hard-watch")
watch_soft = sum(1 for p in people if addr_verdicts[p["email"].lower()] == "watch" and p["role"] != "hard-watch")
matched = sum(1 for p in people if p["events"])
removed_total = sum(v for k, v in row_verdicts.items() if k.startswith("remove"))
mbox_size = os.path.getsize(os.path.join(OUT, "bounces.mbox"))

F = []


def line(s=""):
    F.append(s)


line(f"subscribers.csv: {len(rows)} rows ({len(people)} distinct valid addresses, 4 case-only duplicates, "
     f"3 invalid addresses, 1 empty e-mail), {sum(1 for r in rows if r['last_open'])} with a last_open date")
line(f"bounces.mbox: {len(messages)} messages, {mbox_size:,} bytes, 6 mailings bl-2026-06 .. bl-2026-11")
line()
line("messages by what they say (one recipient each):")
for (kind, reason), label in [
    (("hard", "userunknown"), "hard, user unknown (5.1.1 and alike)"),
    (("hard", "hostunknown"), f"hard, domain not found ({DEAD_DOMAIN})"),
    (("soft", "mailboxfull"), "soft, mailbox full (incl. delay warnings)"),
    (("soft", "expired"), "soft, could not connect until the queue expired (4.4.7 / 4.4.1)"),
    (("soft", "networkerror"), "soft, delay warning: connection timed out, still retrying"),
    (("soft", "blocked"), "soft, sender-side: sending IP blocked (September; Spamhaus / S3150)"),
    (("soft", "badreputation"), "soft, sender-side: sending IP's reputation (September; S3140)"),
    (("complaint", "feedback"), "complaint, ARF feedback report"),
    (("auto_reply", "vacation"), "auto-reply, out of office"),
]:
    line(f"  {reason_counts[(kind, reason)]:4}  {label}")
line(f"  of these, {sum(1 for x in messages if x[4].endswith('-delay'))} are delay warnings "
     f"(Action: delayed) and {sum(1 for p in gone for _ in p['events'])} hard bounces are for "
     f"{len(gone)} addresses not in the list")
line(f"expected `classify` recipients: {kind_counts['hard']} hard, {kind_counts['soft']} soft, "
     f"{kind_counts['complaint']} complaint, {kind_counts['auto_reply']} auto-reply, 0 not bounces")
line()
line("messages by style: " + ", ".join(f"{k} {v}" for k, v in sorted(style_counts.items())))
line("messages by mailing: " + ", ".join(f"{k} {per_mailing[k]}" for k in sorted(per_mailing)))
line()
line("expected `clean` result (hard threshold 3, the default; the same with --activity-column last_open):")
line(f"  bounced addresses in the list: {matched}")
line(f"  rows removed: {removed_total}")
for k in ["remove_complaint", "remove_hard", "remove_invalid", "remove_duplicate"]:
    line(f"    {k}: {row_verdicts[k]}")
line(f"  rows kept: {row_verdicts['keep'] + row_verdicts['watch']} "
     f"(of which {row_verdicts['watch']} on the watch list: {watch_hard} with 1-2 hard bounces, "
     f"{watch_soft} with soft bounces in 2 of the last 3 mailings)")
hard_people = [p for p in people if addr_verdicts[p["email"].lower()] == "remove_hard"]
line(f"  remove_hard: {sum(1 for p in hard_people if p['role'] == 'hard')} user-unknown addresses "
     f"(hard bounces from June: {sum(1 for p in hard_people if p.get('hard_start') == 0)}, July: "
     f"{sum(1 for p in hard_people if p.get('hard_start') == 1)}, August: "
     f"{sum(1 for p in hard_people if p.get('hard_start') == 2)}, September: "
     f"{sum(1 for p in hard_people if p.get('hard_start') == 3)}) + "
     f"{sum(1 for p in hard_people if p['role'] == 'dead')} at {DEAD_DOMAIN}")
line(f"  {len(ms_hard)} of the removed addresses are at outlook.com/hotmail.com: their September bounce is the "
     "block, which the rule skips")

report = "\n".join(F)
print(report)

README = f"""# Demo data: the Bloom & Leaf newsletter

An invented newsletter (a garden shop, "Bloom & Leaf") with its subscriber list and
six months of bounce mail, for trying List Hygiene and for demonstrating it. Everything
is made up: the people, their addresses, the company domains (reserved `.example` and
`.test` names), the IP addresses (documentation ranges). Addresses at big public
providers (gmail.com, gmx.de, mail.ru, ...) are invented too. The bounce texts were
written for this project in the styles Postfix, Exim, qmail, Sendmail, Gmail and
Office 365 use; none is copied from real mail or a bounce collection. Only the fixed
sentences those systems print (Postfix's "This is the mail system at host ...", qmail's
"Hi. This is the qmail-send program at ...", ...) and the providers' published error
texts (Gmail, Microsoft, Spamhaus) are reproduced, because they are the format.

| file | what it is |
|---|---|
| `subscribers.csv` | the list: `email,first_name,last_name,signed_up,last_open` (UTF-8, comma, LF) |
| `bounces.mbox` | what came back from the mailings (mboxrd, LF line ends) |
| `expected.csv` | per message (mbox order, counted from 0 like `classify`'s `index`): the recipient, the `kind` and `reason` `classify` should give, the mailing, the style it is written in |

The files are generated by `scripts/make-demo.py` (Python 3.11, standard library only,
fixed seed: every run writes the same bytes). To regenerate:

    python3 scripts/make-demo.py

To try them:

    listhygiene classify --format table assets/demo/bounces.mbox
    listhygiene clean --list assets/demo/subscribers.csv --bounces assets/demo/bounces.mbox \\
        --out-dir /tmp/demo-out --db /tmp/demo.sqlite

## The scenario

The newsletter went out on the first Tuesday of each month, June to November 2026, from
`{SENDER}` with `List-Id: {LIST_ID}` and
`X-Campaign-ID: bl-2026-06` ... `bl-2026-11`. Every bounce and complaint returns the
newsletter's headers (as a `message/rfc822` or `text/rfc822-headers` part, or quoted
after the text), so each one can be tied to its mailing.

- **Hard bounces (user unknown)** for 60 addresses, in every mailing from some month on:
  40 have 3 or more in a row by November and are removed; 20 started in October or
  November and only go on the watch list. {len(ms_hard)} of the 40 are at outlook.com/hotmail.com,
  whose September answer was the block below, which the rule skips.
- **A company that closed**: all 10 addresses at `{DEAD_DOMAIN}` bounce with "Host or
  domain name not found" from July on, and are removed.
- **Soft bounces** for 50 addresses: full mailboxes (552 5.2.2 at once, or 452 4.2.2
  with a delay warning after 4 hours and the final bounce a day later), some of them
  month after month; a hotel (`{OUTAGE_DOMAIN}`) whose mail server was down for the
  October send; company gateways that could not reach their internal server until the
  queue expired (4.4.7). A delay warning about a connection that timed out reads as
  `networkerror` (still being retried), the final bounce as `expired`.
  Soft bounces never remove an address; two in the last three mailings put it on the
  watch list.
- **September block**: 40 messages to outlook.com/hotmail.com were refused because the
  sending IP `{OUR_IP}` was listed (Spamhaus, S3150 / reputation, 550 5.7.1). That is
  the sender's problem, not the addresses'.
- **15 spam complaints** as ARF feedback reports from feedback loops.
- **Out-of-office replies** from 25 addresses (8 of them away for two mailings); some
  attach or quote the newsletter, a few only carry `In-Reply-To`.
- **Bounces for 5 addresses that are no longer in the list.**
- **List problems**: 3 invalid addresses, 1 row without an e-mail, 4 addresses that
  appear twice with different capitalisation.

## Expected figures (printed by the generator)

The `clean` figures follow from the rule in the docs (3 hard bounces in a row remove an
address; a newsletter mailing without a bounce counts as delivered; auto-replies and full
mailboxes break a run; sender-side refusals are skipped), which the generator applies to
the scenario itself. `clean` does not print the watch list; the window shows it.

```
{report}
```
"""
with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8", newline="\n") as f:
    f.write(README)
