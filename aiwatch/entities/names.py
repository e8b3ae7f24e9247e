"""Names: how an entity's name is normalised, which kind it is, and the alias table.

The alias table is explicit and hand-written: each canonical name with the other ways the news
writes it. Add to it when two spellings of one body show up as two entities.
"""

from __future__ import annotations

import re
import unicodedata

# Canonical name -> other names. Matching is case-insensitive for names of 4+ characters and
# exact-case for short ones and acronyms ("ICE" must not match "ice").
ALIASES: dict[str, list[str]] = {
    "OpenAI": ["Open AI", "OpenAI Inc", "OpenAI LP"],
    "U.S. Immigration and Customs Enforcement": ["ICE", "Immigration and Customs Enforcement",
                                                 "US Immigration and Customs Enforcement"],
    "U.S. Customs and Border Protection": ["CBP", "Customs and Border Protection"],
    "U.S. Department of Homeland Security": ["DHS", "Department of Homeland Security"],
    "Federal Bureau of Investigation": ["FBI"],
    "Federal Trade Commission": ["FTC"],
    "Department of Government Efficiency": ["DOGE"],
    "National Highway Traffic Safety Administration": ["NHTSA"],
    "Meta": ["Meta Platforms", "Meta Platforms Inc", "Meta AI"],
    "Google": ["Google LLC", "Google Inc"],
    "Google DeepMind": ["DeepMind"],
    "EleutherAI": ["Eleuther AI"],
    "Runway": ["RunwayML", "Runway ML"],
    "Microsoft": ["Microsoft Corp", "Microsoft Corporation"],
    "Amazon": ["Amazon.com", "Amazon Inc"],
    "Apple": ["Apple Inc"],
    "Tesla": ["Tesla Inc", "Tesla Motors"],
    "xAI": ["X.AI", "xAI Corp"],
    "X": ["X Corp", "Twitter", "X (Twitter)", "Twitter/X"],
    "Character.AI": ["Character AI", "Character Technologies", "Character.ai"],
    "Anthropic": ["Anthropic PBC"],
    "Clearview AI": ["Clearview"],
    "Cruise": ["Cruise LLC", "GM Cruise"],
    "Waymo": ["Waymo LLC"],
    "Metropolitan Police Service": ["Metropolitan Police", "Met Police", "MPS"],
    "New York Police Department": ["NYPD", "New York City Police Department"],
    "Los Angeles Police Department": ["LAPD"],
    "Department for Work and Pensions": ["DWP"],
    "ChatGPT": ["Chat GPT", "ChatGPT-4", "ChatGPT Plus"],
    "Grok": ["Grok AI"],
    "Gemini": ["Google Gemini"],
    "Tesla Autopilot": ["Autopilot"],
    "Full Self-Driving": ["FSD", "Full Self Driving"],
    "Midjourney": ["MidJourney"],
    "Stable Diffusion": ["StableDiffusion"],
    "Stability AI": ["Stability.ai"],
    "DeepSeek": ["DeepSeek AI", "DeepSeek Artificial Intelligence Co"],
    "Perplexity": ["Perplexity AI"],
    "ShotSpotter": ["SoundThinking"],
    "Palantir": ["Palantir Technologies"],
    # Watchdogs, regulators and standards bodies that AI incident news names by their initials as often as
    # in full ("the American Civil Liberties Union (ACLU)" ... "the ACLU said"): one entity under both.
    # Initials that are also common words or other names stay out (ICO, EPIC, MIT).
    "American Civil Liberties Union": ["ACLU"],
    "Electronic Frontier Foundation": ["EFF"],
    "Human Rights Watch": ["HRW"],
    "National Institute of Standards and Technology": ["NIST", "U.S. National Institute of Standards and Technology"],
    "National Transportation Safety Board": ["NTSB"],
    "Equal Employment Opportunity Commission": ["EEOC", "U.S. Equal Employment Opportunity Commission"],
    "Consumer Financial Protection Bureau": ["CFPB"],
    "Food and Drug Administration": ["FDA", "U.S. Food and Drug Administration"],
    "Federal Communications Commission": ["FCC"],
    "Department of Justice": ["DOJ", "Justice Department", "U.S. Department of Justice"],
    "White House": [],
}

_SUFFIX = re.compile(r"\b(inc|incorporated|ltd|limited|llc|l\.l\.c|corp|corporation|co|plc|gmbh|ag|sa|pbc|lp)\.?$",
                     re.I)
_PAREN_ACRONYM = re.compile(r"^(.*?)\s*\(([A-Z][A-Za-z&.]{1,9})\)\s*$")

PUBLIC_WORDS = re.compile(
    r"\b(police|department|ministry|government|agency|council|court|commission|authority|administration|"
    r"parliament|congress|senate|army|military|forces|navy|air force|municipality|city of|state of|county|"
    r"bureau|office|service|regulator|inspectorate|tribunal|prosecutor|sheriff|nhs|federal|national|"
    r"republic|customs|border|immigration|embassy|cabinet|state|public|school district|board of|white house)\b",
    re.I)
SYSTEM_WORDS = re.compile(
    r"\b(gpt|chatgpt|grok|gemini|copilot|autopilot|alexa|siri|bard|claude|llama|sora|dall-?e|midjourney|"
    r"stable diffusion|algorithm|chatbot|bot|app|model|system|tool|assistant|software|driver|self-driving|fsd|"
    r"recognition|detector|classifier|score|platform)\b", re.I)
# AIID lists unnamed actors by description ("deepfake-technology-developers", "scammers"); they are
# not named entities and cannot be matched in text.
GENERIC_ACTOR = re.compile(
    r"(^|-)(developers?|actors?|creators?|scammers?|fraudsters?|operators|deployers|unknown|unidentified|"
    r"perpetrators|criminals|cybercriminals|hackers|individuals?|users|accounts|researchers|entities|"
    r"organizations|companies|firms|providers|vendors|networks|campaigns|sellers|makers)($|-)")
GROUP_HEADS = frozenset("""
people persons users customers workers employees residents citizens public children minors kids students
patients drivers passengers pedestrians women men girls boys teenagers teens families voters consumers applicants
candidates tenants immigrants migrants refugees communities artists authors creators musicians journalists
actors writers owners investors victims members viewers readers subscribers shoppers borrowers taxpayers
recipients claimants parents teachers doctors nurses motorists cyclists homeowners renters defendants
prisoners inmates asylum-seekers seekers minorities groups populations individuals elderly seniors youth
jobseekers freelancers contractors creators-of-color survivors protesters activists
""".split())
ORG_WORDS = re.compile(
    r"\b(media|group|labs?|technologies|technology|tech|systems|health|bank|capital|news|network|motors|ai|"
    r"robotics|studios?|games|software|analytics|security|energy|partners|holdings|solutions|foundation|"
    r"institute|university|college|schools?|association|society|union|club|airlines|airways|insurance|"
    r"company|corp|inc|ltd|llc|enterprises|industries|international|global|digital|data|cloud|pharma|"
    r"times|post|journal|press|tv|radio|magazine|store|stores|markets?|motors|auto|mobility|ventures|research|"
    r"party|festival|alliance|services|centre|center|academy|law|agenda|lab|laboratory|health|care|clinics?|"
    r"hospitals?|church|museum|library|fund|trust|coalition|campaign|project|initiative|org|team|network|works|america|"
    # heads of names that read as "First Last" otherwise ("Human Rights Watch", "Algorithmic Justice League")
    r"league|watch|committee|caucus|computing|collective|consortium|"
    r"europe|asia|africa|north|south|east|west|new|united|american|british|european|china|india|canada)\b", re.I)
# A study's authors as cited: "Zhao, B.", "Deng, C. J." (a surname, a comma, initials).
_CITED_AUTHOR = re.compile(r"\b[A-Z][a-z'’-]+,\s+(?!U\.S\.|U\.K\.)(?:[A-Z]\.\s*){1,3}(?=,|;|$)")  # not "Amazon, U.S."
_LEADING_INITIALS = re.compile(r"^(?:[A-Za-z]\.\s*){1,3}(?=[A-Z][a-z])|^(?:[A-Z]\s+){2,3}(?=[A-Z][a-z])")
# The commonest Chinese, Korean and Vietnamese surnames, romanised, that are no English word or brand ("Sun",
# "Song", "Park" are left out): alone, such a name is a person's. AIAAIC's developer cells cited study authors.
SURNAMES = frozenset("""
zhang wang li liu chen yang huang zhao wu zhou xu zhu guo gao lin luo zheng liang xie tang deng feng cao peng zeng
xiao tian dong pan yuan cai jiang cheng wei su ding ren shen yao cui zhong tan kim choi jung kang cho yoon lim
nguyen tran pham hoang
""".split())
# A first name, a particle and a surname, or a name and a suffix: "Marvin von Hagen", "James Florence jr".
_PARTICLE_NAME = re.compile(r"^[A-Z][\w'’-]+\s+(?:(?:de|da|di|du|del|della|van|von|der|den|ter|ten|le|la|al|bin|"
                            r"ibn)\s+[A-Z][\w'’-]+|[A-Z][\w'’-]+\s+(?:[Jj]r|[Ss]r)\.?)$")
# Bodies named in another language the same way ("Polizia di Stato", "Ville de Bitche").
_FOREIGN_BODY = re.compile(r"\b(?:polizia|polic[ií]a|ville|ciudad|cidade|citt[àa]|comune|gobierno|governo|"
                           r"gouvernement|minist[eè]re|ministerio|consejo|conseil|banco|banque|grupo|fundaci[óo]n|"
                           r"fondation|instituto|istituto|universidad|universit[éà]|televisi[óo]n|t[ée]l[ée]vision|"
                           r"agencia|agence|observatoire|prefeitura|municipalidad|corte|tribunale?|soci[ée]t[ée]|"
                           r"cr[ée]dit|compagnie|gesellschaft|versicherung|[ée]chos)\b", re.I)
_PERSONISH = re.compile(r"^[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?(?:\s+[A-Z]\.|\s+[A-Z][a-z]+)?\s+"
                        r"(?:[A-Z][a-z]*[’'])?(?:Ma?c)?[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?"
                        r"(?:,?\s+(?:Jr\.?|Sr\.?|II|III|IV))?$")  # "Sewell Setzer III" (AIID lists him as a deployer)


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def norm(name: str) -> str:
    """The key two spellings of one name share: case, accents, punctuation, corporate suffixes folded."""
    s = strip_accents(name).lower().replace("&", " and ").replace("’", "'")
    s = re.sub(r"'s\b", "", s)
    s = re.sub(r"[^\w.+]+", " ", s).strip(" .")
    s = re.sub(r"^the\s+", "", s)
    for _ in range(2):
        s = _SUFFIX.sub("", s).strip(" .,")
    s = s.replace(".", " ").replace("u s ", "us ")
    return re.sub(r"\s+", " ", s).strip()


def tidy_name(name: str) -> str:
    """'Metropolitan Police Service (MPS)' -> 'Metropolitan Police Service'; whitespace folded."""
    name = re.sub(r"\s+", " ", name or "").strip(" ,;.")
    m = _PAREN_ACRONYM.match(name)
    if m:
        name = m.group(1)
    return name


def acronym_of(name: str) -> str | None:
    m = _PAREN_ACRONYM.match(re.sub(r"\s+", " ", name or "").strip())
    return m.group(2) if m else None


def split_parties(value: str) -> list[str]:
    """AIAAIC cells hold several parties: 'General Motors/Cruise LLC; Uber'. A study's authors cited as
    'Zhao, B., Zhang, Z.' are persons and are dropped (split on commas, their surnames came out as bodies)."""
    out = []
    for part in re.split(r"\s*[;/|]\s*|\s*,\s+(?=[A-Z])", _CITED_AUTHOR.sub("", value or "")):
        part = part.strip(" ,")
        if re.search(r"[A-Za-z]", part) and part.lower() not in {"unknown", "n/a", "various", "multiple", "unclear"}:
            out.append(part)
    return out


def kind_of(name: str) -> str:
    """organisation | public_body | ai_system, from the words of a name (the gazetteer may say better)."""
    if PUBLIC_WORDS.search(name):
        return "public_body"
    if SYSTEM_WORDS.search(name) and not re.search(r"\b(inc|ltd|llc|corp|company|group|labs?)\b", name, re.I):
        return "ai_system"
    return "organisation"


def is_group_phrase(phrase: str) -> bool:
    """'job applicants', 'tesla drivers', 'black people' — a group of people, never one person."""
    words = phrase.lower().replace("-", " ").split()
    return bool(words) and (words[-1] in GROUP_HEADS or words[-1].rstrip("s") + "s" in GROUP_HEADS and
                            words[-1].endswith("s"))


def group_name(phrase: str) -> str:
    return re.sub(r"\s+", " ", phrase.replace("-", " ")).strip().lower()


# First words that make a two-word name a product or a branch, not a person ("Apple Card", "Google Photos").
BRANDS = frozenset("""
amazon apple google microsoft meta facebook tesla adobe openai ibm intel nvidia samsung baidu alibaba tencent
bing air uber lyft waymo cruise twitter tiktok youtube instagram snapchat ring alexa apollo blue black red
""".split())


def looks_like_person(name: str) -> bool:
    """Two or three capitalised words and nothing that makes them a body: 'Jane Doe', 'John Q. Smith',
    'Y. S. Jagan Mohan Reddy' (initials first); or one of the commonest East Asian surnames alone ('Zhang').

    A cheap guard used where spaCy's reading is not at hand; the extractor also drops every
    span spaCy labels PERSON and every name that a PERSON span of the same article contains.
    """
    name = _LEADING_INITIALS.sub("", name.strip())
    if name.lower() in SURNAMES and name[1:].islower():  # "Zhang", not the acronym "LIN"
        return True
    if name.split()[:1] and name.split()[0].lower() in BRANDS:
        return False
    if PUBLIC_WORDS.search(name) or SYSTEM_WORDS.search(name) or ORG_WORDS.search(name) or _SUFFIX.search(name):
        return False
    # "Marvin von Hagen", "Carl de Keyzer", "James Florence jr": a particle or a suffix, and no body's word
    # ("Polizia di Stato", "Ville de Bitche"): spaCy reads both kinds alike, so the words decide.
    if _PARTICLE_NAME.match(name) and not _FOREIGN_BODY.search(name):
        return True
    # Accents kept no name from being a person's ("Gráinne Seoige"); a foreign body's word still makes a body's.
    return bool(_PERSONISH.match(strip_accents(name))) and not _FOREIGN_BODY.search(name)
