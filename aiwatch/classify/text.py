"""What a classifier reads of an article: title and lead, boilerplate stripped, case folded.

Case is folded for every model because one negative source (BBC) is lower-cased in the data:
a model that sees case learns "lower-case means unrelated". Navigation menus and sign-up
prompts are stripped because they are where scraped pages of one site look alike and where
harm words ("Security", "Privacy") sit in every VentureBeat menu.
"""

from __future__ import annotations

import re

LEAD_CHARS = 2000  # the opening carries the news; later text adds cost, not signal
# Any sentence end, whatever the next letter's case: a lower-cased page must split the same way.
_SENT = re.compile(r"(?<=[.!?])\s+")
# Phrases of sign-up boxes, cookie banners and navigation (matched as plain substrings: fast).
BOILERPLATE_PHRASES = (
    "sign up", "subscribe", "newsletter", "cookie", "advertisement", "all rights reserved", "follow us",
    "read more", "open navigation", "view saved stories", "to revist this article", "skip to main content",
    "share this", "click here", "privacy policy", "terms of use", "terms of service", "log in", "login",
    "sign in", "my profile", "becoming a sponsor", "learn more about", "join us", "register now",
    "this article is part of", "we may earn", "affiliate link",
)
# What entity extraction and clustering drop instead of BOILERPLATE_PHRASES (``strip_boilerplate(thorough=True)``):
# page furniture only, as whole words. Share buttons name platforms ("Share on Facebook Share on X Share on
# LinkedIn" made every VentureBeat story a Facebook/X/LinkedIn incident); words that are also news
# ("advertisement", "cookie", "privacy policy", "log in", and "login" inside "cataloging") are not furniture.
FURNITURE_PHRASES = (
    "sign up for our", "subscribe to our", "newsletter", "newsletters", "all rights reserved", "follow us", "read more",
    "open navigation", "view saved stories", "to revist this article", "skip to main content", "share this",
    "click here", "my profile", "becoming a sponsor", "register now", "we may earn", "affiliate link",
    "save this story", "are you ready to bring more awareness", "view all", "toggle navigation", "main menu",
    "site search", "homepage", "close alert", "featured topics",
)
_FURNITURE = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in FURNITURE_PHRASES) + r")\b", re.IGNORECASE)
# A run of this many capitalised words with no punctuation is a menu or a tag list glued to the prose
# ("Close Alert Search Backchannel Business Culture Gear Ideas ..." is 25): prose has lower-case words, and
# names are shorter ("Bougainville President Ishmael Toroama and Papua New Guinea Prime Minister James
# Marape" is 12, the longest run in all of AIID's descriptions; dropping it split that event's reports in
# eval-clusters). "of" and "the" end a run, "and" inside one does not: "Data Security and Privacy Network
# Security and Privacy Software Security".
MENU_RUN = 15
_MENU_WORD = re.compile(r"^[A-Z0-9&|‘'\"“(-]")
_SHARE = re.compile(r"\b(?:share|post|follow us) (?:on|to) (?:facebook|x|twitter|linkedin|reddit|whatsapp|email|"
                    r"flipboard|pinterest|threads|bluesky)\b", re.IGNORECASE)
_WORD_END = (",", ".", ";", ":", "!", "?", ")", "”", '"')
# WIRED's AI database box between the standfirst and the story: "Save this story Save Save this story Save
# Application Ethics Face recognition Company Alphabet Google End User Research Sector Public safety Source Data
# Images Technology Machine learning" (352 pages of the AI news data). No punctuation ends it, so neither the
# sentence nor the menu rules catch it, and its values came out as organisations ("Save Application Ethics
# Regulation Surveillance Recommendation", "Source Data Images Technology Machine"). Each field takes only the
# words its values use in the data, so the box ends where the story's first word is none of them.
_BOX_FIELDS = {
    "Application": "Autonomous Blockchain/cryptocurrency Cloud Content Deepfakes Ethics Fabrications Face Games "
                   "Hardware Human-computer Identifying Logistics Personal Prediction Recommendation Regulation "
                   "Robotics Safety Software Surveillance Text algorithm analysis assistant computing development "
                   "driving finance generation interaction moderation recognition services",
    "Company": "AI Alphabet Amazon Anduril Apple Boston Dynamics Facebook Google IBM Microsoft Nvidia Open Tencent "
               "YouTube",
    "End User": "Big Consumer Government Research Small Startup company",
    "Sector": "Agriculture Automotive Aviation Consumer Defense Ecommerce Education Energy Entertainment Finance Games "
              "Health IT Manufacturing Public Publishing Research Semiconductors Social Video care media safety "
              "services",
    "Source Data": "Biometric Clickstream Geolocation Images Sensors Speech Synthetic Text Transactions Video data",
    "Technology": "Chips Machine Natural Network Neural Robotics language learning processing vision",
}
_WIRED_BOX = re.compile(r"\bSave this story(?: Save(?: this story)?)*(?:" + "|".join(
    rf" {field}(?: (?:{'|'.join(re.escape(w) for w in words.split())})(?!\S))+" for field, words in _BOX_FIELDS.items())
    + ")*")

# Other sites' chrome glued to the headline and the first sentence in the AI news data, which no sentence rule can
# drop without the news: MIT Technology Review's header and byline ("Featured Topics Newsletters Events Podcasts
# Featured Topics Newsletters Events Podcasts <headline> By Karen Hao archive page <story>", 900 pages) and the
# Verge's header ("The Verge homepage The Verge homepage The Verge The Verge logo. / Tech / Reviews / ... More Menu
# Expand Menu", 750 pages), and The Next Web's. Each becomes a sentence break, so the headline stands apart from
# the story. Each regex runs only on pages holding its plain marker string, looked for first (a regex with a
# leading \b or an alternation is tried at every position: run on every page, these doubled the cost of thorough
# cleaning).
_SITE_CHROME = (
    ("Save this story", _WIRED_BOX),
    ("Featured Topics", re.compile(r"(?:Featured Topics Newsletters Events Podcasts ?)+")),
    ("archive page", re.compile(r"\bBy (?:[A-Z][\w'’.-]* ){1,4}archive page"
                                r"(?: (?:[A-Z][\w'’.-]* ){1,4}archive page)*")),
    ("The Verge homepage", re.compile(r"The Verge homepage.{0,200}?Expand Menu")),
    # The Next Web's menu, down to its dateline: "Toggle Navigation News Events TNW Conference 2024 ... Buy now
    # before they are gone → This article was published on July 16, 2020" (79 pages).
    ("Toggle Navigation", re.compile(r"Toggle Navigation News Events TNW Conference.{0,900}?"
                                     r"This article was published on \w+ \d{1,2}, \d{4}")),
    # ... and on its lists of articles, which have no dateline (41 pages): down to "Buy now before they are gone →".
    ("Toggle Navigation", re.compile(r"Toggle Navigation News Events TNW Conference.{0,900}?"
                                     r"Buy now before they are gone →")),
    # The Guardian's account menu (84 pages): "Billing Profile Emails & marketing Data" had been a deployer.
    ("Billing Profile Emails", re.compile(r"(?:Account overview )?Billing Profile Emails & marketing Data privacy "
                                          r"Settings Help Comments & replies Sign out")),
)


def drop_site_chrome(text: str, chrome: tuple[tuple[str, re.Pattern[str]], ...] = _SITE_CHROME) -> str:
    """The text with each known site's chrome (``_SITE_CHROME``, or the caller's (marker, regex) table) turned into
    a sentence break."""
    for marker, rx in chrome:
        if marker in text:
            text = rx.sub(" . ", text)
    return text


def drop_menu_runs(text: str) -> str:
    """The text without runs of MENU_RUN or more capitalised, unpunctuated words (a word that ends with
    punctuation closes its run; a run that meets a lower-case word keeps its last word, which starts the
    sentence: "... Data Management Amazon today said"); whitespace is collapsed."""
    out: list[str] = []
    run: list[str] = []
    for word in text.split():
        menu_word = bool(_MENU_WORD.match(word)) or (word == "and" and bool(run))  # "Security and Privacy"
        if menu_word and not word.endswith(_WORD_END):
            run.append(word)
            continue
        if menu_word and run:  # "... Merch Podcasts Video:" ends its run
            run.append(word)
            word = ""
        if len(run) < MENU_RUN:
            out.extend(run)
        elif word[:1].islower():  # the run's last word opens the sentence that goes on here
            out.append(run[-1])
        run.clear()
        if word:
            out.append(word)
    if len(run) < MENU_RUN:
        out.extend(run)
    return " ".join(out)


# Script code scraped with the page. The Guardian's pages in the AI news data carry their headline and standfirst,
# then 3,000 characters of navigation script ("document.addEventListener('DOMContentLoaded', function(){ var
# columnInput = ..."); in TF-IDF the script outweighed the headline and the classifier missed every such
# article about AI harm (12 of 12 hand-labelled ones). A token is code when it has a brace, an equals sign, a
# call ("getElementById("), "//", "&&", "||", or ends a statement after a quote or bracket ("('x');"); a span
# of CODE_MIN such tokens, each within CODE_GAP words of the last (a comment between two statements), is cut.
# Prose has none of these, or one now and then ("(Reuters)" is not a call; "a; b" is not a statement); at 4, a
# formula in an explainer ("f(.) = g(W*X) where ... g(.)") went too.
CODE_MIN = 6
CODE_GAP = 16
_CODE_TOKEN = re.compile(r"[{}=]|^//|\w\(|&&|\|\||[)'\"\]];$")


def _code_hint(text: str) -> bool:
    """A brace, or a call ("f(": a word character before a parenthesis), anywhere in the text. The regex
    ``[{}]|\\w\\(`` says the same at 70 microseconds a page, this at 1 (C string search, then a look at the
    character before each "("): the regex was a fifth of all boilerplate stripping, for the 4% of pages
    that have code."""
    if "{" in text or "}" in text:
        return True
    at = text.find("(")
    while at != -1:
        if at and (text[at - 1].isalnum() or text[at - 1] == "_"):  # what \w is, in a str pattern
            return True
        at = text.find("(", at + 1)
    return False


def drop_code(text: str) -> str:
    """The text without spans of script code (see CODE_MIN); text with no brace and no call is returned as is."""
    if not _code_hint(text):
        return text
    words = text.split()
    code = [i for i, w in enumerate(words) if _CODE_TOKEN.search(w)]
    cut: list[tuple[int, int]] = []
    start = 0
    for k in range(1, len(code) + 1):
        if k == len(code) or code[k] - code[k - 1] > CODE_GAP:  # the span code[start..k-1] ends
            if k - start >= CODE_MIN:
                cut.append((code[start], code[k - 1]))
            start = k
    if not cut:
        return text
    keep: list[str] = []
    at = 0
    for a, b in cut:
        keep.extend(words[at:a])
        at = b + 1
    keep.extend(words[at:])
    return " ".join(keep)


# A site's navigation with lower-case words in it ("US edition UK edition ... The Guardian - Back to home The
# Guardian News Opinion Sport ... US news World news Environment US politics ...", 80 words): no punctuation
# over NAV_STRETCH words or more, and within that stretch a part of NAV_MIN words or more where capitalised words
# outnumber lower-case ones, a function word counting three (the part of most capitals net, so a standfirst
# glued before the menu stays). Prose puts a comma or a full stop within 30 words, a run of names ("Papua New
# Guinea Prime Minister James Marape", the longest in AIID's descriptions) is 12 words, and a long sentence rich
# in names is held together by "the", "and", "said", "in".
NAV_STRETCH = 30
NAV_MIN = 20
_FUNCTION_WORDS = frozenset(
    "a an the of in on at to for with by from into over about and or but nor not as than that which who whom whose "
    "this these those it its he she they we you his her their our is are was were be been being has have had do does "
    "did will would could should can may might must said says say after before while when where if".split())


def _nav_score(word: str) -> int:
    if _MENU_WORD.match(word):
        return 1
    if not word[:1].islower():
        return 0
    return -3 if word.rstrip(",.;:!?)”\"") in _FUNCTION_WORDS else -1


# Scores by word: a page's stretches repeat the same few hundred words (menus, function words), and a dict
# lookup takes an eighth of the time of the regex match and the tests above (timeit, over a menu's words).
_NAV_SCORES: dict[str, int] = {}


def _nav_part(words: list[str]) -> tuple[int, int] | None:
    """The capital-heaviest part of an unpunctuated stretch (by ``_nav_score``)."""
    scores = _NAV_SCORES
    if len(scores) > 200_000:  # bounded: an unending stream of new words must not grow it for ever
        scores.clear()
    best, best_at, total, start = 0, (0, 0), 0, 0
    for i, w in enumerate(words):
        score = scores.get(w)
        if score is None:
            score = scores[w] = _nav_score(w)
        total += score
        if total < 0:  # at 0 the part goes on: "US edition UK edition" is a menu too
            total, start = 0, i + 1
        elif total > best:
            best, best_at = total, (start, i + 1)
    a, b = best_at
    return best_at if b - a >= NAV_MIN else None


def drop_nav_stretches(text: str) -> str:
    """The text without menus that carry lower-case words (see NAV_STRETCH); text without such a stretch is
    returned as is."""
    words = text.split()
    words.append(".")  # closes the last stretch
    # Where each stretch ends (a word that ends with punctuation), found in one pass; only a stretch of NAV_STRETCH
    # words or more is then read word by word (a loop over every word was a third of all boilerplate stripping).
    ends = [i for i, w in enumerate(words) if w.endswith(_WORD_END)]
    out: list[str] | None = None  # built only once a stretch is cut
    start = 0
    for end in ends:
        stop = end + 1
        stretch = words[start:stop] if stop - start >= NAV_STRETCH else None
        part = _nav_part(stretch) if stretch else None
        if part:
            a, b = part
            if b < len(stretch) and stretch[b][:1].islower():  # the part's last word opens the sentence going on
                b -= 1
            if out is None:
                out = words[:start]
            out += stretch[:a] + stretch[b:]
        elif out is not None:
            out += words[start:stop]
        start = stop
    return " ".join(out[:-1]) if out is not None else text


_CAPITAL_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789&|-")


def _menu_like(words: list[str]) -> bool:
    """Runs of capitalised words without a verb-like lower-case stretch: menus, tag lists. Over 70% of the
    words open with a capital, a digit, "&", "|" or "-", or are "and" (counted on the words the caller has
    split: a regex over each sentence was a fifth of all stripping)."""
    capitalised = sum(1 for w in words if w[0] in _CAPITAL_START
                      or (w[:3] == "and" and (len(w) == 3 or not (w[3].isalnum() or w[3] == "_"))))
    return capitalised / len(words) > 0.7


def _phrases_in(lowered: str, phrases: tuple[str, ...] = BOILERPLATE_PHRASES) -> tuple[str, ...]:
    return tuple(phrase for phrase in phrases if phrase in lowered)


def strip_boilerplate(text: str, *, thorough: bool = False) -> str:
    """Drop script code, menus and sign-up/cookie sentences; keep the article's sentences in order.

    ``thorough`` (entities, clustering) also drops menu runs glued to a sentence and share buttons. The
    classifier reads the plain form: its shipped heads were fitted on it (changing it means ``aiwatch
    train``)."""
    if not text:
        return ""
    # Only the opening is ever read (LEAD_CHARS): cleaning the rest of a long page is wasted work.
    text = drop_nav_stretches(drop_code(text[:4 * LEAD_CHARS].replace("\n", " . ")))
    if thorough:
        text = drop_menu_runs(_SHARE.sub(" . ", drop_site_chrome(text)))
    parts = _SENT.split(text)
    # A sentence can only hold the phrases the page holds: looked for once on the page, then only those
    # (two or fewer of the 28 on 75% of the 10k bench pages) in each short sentence. (The phrases are ASCII, and
    # lower-casing maps characters one by one, so the page's lower-case form holds each sentence's.)
    phrases = () if thorough else _phrases_in(text.lower())
    kept = []
    for p in parts:
        words = p.split()
        n = len(words)
        if n < 40:  # a short sentence about signing up, cookies, menus
            if _FURNITURE.search(p) if thorough else (phrases and _phrases_in(p.lower(), phrases)):
                continue
        if n >= 8 and not thorough and _menu_like(words):  # thorough: menus went as runs; lists of names stay
            continue
        if p.strip(" ."):
            kept.append(p)
    return " ".join(kept).strip()


def classifier_text(title: str, text: str, *, stripped: str | None = None, lead_chars: int = LEAD_CHARS) -> str:
    """The string every model sees: title, then the stripped lead, case-folded."""
    lead = (stripped if stripped is not None else strip_boilerplate(text or ""))[:lead_chars]
    return f"{title or ''}. {lead}".casefold().strip()


def encoder_text(title: str, text: str, *, cleaned: str | None = None) -> str:
    """The string the sentence encoder reads: title and the opening of the text without page furniture
    (``furniture_free``: share buttons and sign-up boxes out, name-heavy sentences kept).

    The cluster stage embeds this very string (``cluster.Embedder``), so the cascade's vector of a candidate
    is kept and the article is encoded once. Not stripped the classifier's way: that drops name-heavy
    sentences as menu-like, which cost the grouping of full articles 5 B-cubed points (wikiref). MiniLM is
    uncased and reads 128 tokens, which 600 characters cover. ``cleaned``: the text's
    ``strip_boilerplate(thorough=True)``, when the caller has it already.
    """
    return f"{title}. {furniture_free(text or '', cleaned=cleaned)[:600]}".strip()


_WORD = re.compile(r"\w+")


def furniture_free(text: str, chars: int = 600, *, cleaned: str | None = None) -> str:
    """``text`` itself when its opening (the ``chars`` the encoder reads) has no page furniture, else its
    ``strip_boilerplate(thorough=True)`` form: what the encoder reads (``encoder_text``; same-site menus made
    every story of a site look alike to it)."""
    if not text:
        return text
    if cleaned is None:
        cleaned = strip_boilerplate(text, thorough=True)
    opening = _WORD.findall(text[:chars])[:-1]  # the last word may be cut
    return text if _WORD.findall(cleaned[:chars + 200])[:len(opening)] == opening else cleaned


# Sentences that caption or credit a picture, scraped with the text: they read as central as any and said "why
# labelled" or began a summary ("WILMINGTON, DELAWARE - AUGUST 20: Democratic presidential nominee Joe Biden
# speaks ...", "A woman looks at the Facebook logo on an iPad in this photo illustration", "Ms Tech | Getty In the
# summer of 2018, ...", "Stephanie Arnett/MITTR | Midjourney, Envato In late May, ...").
_AGENCY_CAPTION = re.compile(r"^[A-Z][A-Z.'’ -]+(?:,\s*[A-Z][A-Z.'’ -]+)*\s+[-–—]\s+[A-Z]+\s+\d{1,2}\s*:")
# Credit words capitalised, as credits write them: "images by Midjourney" and "the image:" are prose.
_CREDIT = re.compile(r"\((?:AP|AFP|Reuters|Getty|EPA)?\s*(?:Photo|Image)s?\b|"
                     r"\b(?i:photo|image|picture)\s+illustration\b|"
                     r"\b(?:Photo|Photograph|Image|Illustration)s?(?:\s+by\s+[A-Z]|\s*:|\s+credit\b)|"
                     r"\b(?i:credit)\s*:|\bGetty Images\b|[|/]\s*Getty\b|/MITTR\b|\bMITTR \|")


def caption_or_credit(sentence: str) -> bool:
    """Whether a sentence captions or credits a picture (an agency's dated caption, a photo illustration, a credit)."""
    return bool(_AGENCY_CAPTION.match(sentence) or _CREDIT.search(sentence))


def sentences(text: str, *, stripped: str | None = None, limit: int = 15) -> list[str]:
    """Article sentences, for evidence (original case kept)."""
    body = stripped if stripped is not None else strip_boilerplate(text or "")
    return [s.strip() for s in _SENT.split(body)[:limit] if len(s.split()) >= 4]


TEASER_TARGET = 300  # characters: a feed's summary is a sentence or two


def teaser_of(text: str) -> str:
    """The opening sentences of an article, as a feed's summary gives them: whole sentences of the stripped
    text until TEASER_TARGET characters are reached (so about 300-500)."""
    out = ""
    for sent in sentences(text or "", limit=8):
        if len(out) >= TEASER_TARGET:
            break
        out = f"{out} {sent}".strip()
    return out
