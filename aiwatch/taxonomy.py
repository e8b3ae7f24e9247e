"""The OECD AI incident taxonomy, and the explicit tables that map other datasets' labels onto it.

Field values follow the OECD AI Incidents Monitor (AIM) classification fields; categories and
severity follow OECD (2024), *Defining AI incidents and related terms* (OECD AI Papers No. 16).

The mapping tables below are the whole of how AIID (CSETv1, MIT), AIAAIC and AIID entity
slugs become OECD training labels: training code only applies them. Each key is a source
value (matched case-insensitively, by substring where noted); each value is a list of OECD values.
Where no honest mapping exists the source value is simply absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CATEGORIES = ("incident", "hazard", "complementary", "unrelated")
RELEVANT = ("incident", "hazard", "complementary")
SEVERITIES = ("hazard", "serious hazard", "incident", "serious incident", "disaster")

FIELDS: dict[str, tuple[str, ...]] = {
    "harm_types": ("Human or fundamental rights", "Economic/Property", "Public interest", "Reputational",
                   "Psychological", "Physical (injury)", "Physical (death)", "Environmental", "Other"),
    "affected_stakeholders": ("Business", "Children", "Civil society", "Consumers", "General public", "Government",
                              "Trade unions", "Women", "Workers", "Other"),
    "ai_principles": ("Accountability", "Democracy & human autonomy", "Fairness", "Human wellbeing",
                      "Privacy & data governance", "Respect of human rights", "Robustness & digital security",
                      "Safety", "Sustainability", "Transparency & explainability"),
    "industries": ("Arts, entertainment, and recreation", "Business processes and support services",
                   "Consumer services", "Digital security", "Energy, raw materials, and utilities",
                   "Financial and insurance services", "Government, security, and defence",
                   "Healthcare, drugs, and biotechnology", "IT infrastructure and hosting",
                   "Media, social platforms, and marketing", "Mobility and autonomous vehicles", "Real estate",
                   "Robots, sensors, and IT hardware", "Agriculture", "Consumer products", "Education and training",
                   "Environmental services", "Food and beverages", "Logistics, wholesale, and retail",
                   "Travel, leisure, and hospitality", "Other"),
    "business_functions": ("Compliance and justice", "ICT management and information security", "Logistics",
                           "Monitoring and quality control", "Research and development", "Accounting",
                           "Citizen/customer service", "Human resource management", "Maintenance",
                           "Marketing and advertisement", "Planning and budgeting", "Procurement", "Production",
                           "Sales", "Other"),
    "ai_tasks": ("Content generation", "Event/anomaly detection", "Goal-driven organisation",
                 "Interaction support/chatbots", "Organisation/recommenders", "Recognition/object detection",
                 "Forecasting/prediction", "Personalisation", "Reasoning with knowledge structures/planning", "Other"),
    "autonomy_level": ("No-action autonomy (human support)", "Low-action autonomy (human-in-the-loop)",
                       "Medium-action autonomy (human-on-the-loop)", "High-action autonomy (human-out-of-the-loop)"),
}

HR, ECON, PUBLIC, REPUT, PSYCH, INJURY, DEATH, ENV = FIELDS["harm_types"][:8]

# -- AIAAIC "External harm" (individual, societal, environmental) -> harm_types ------------------
AIAAIC_HARM = {
    "privacy loss": [HR], "discrimination": [HR], "loss of rights/freedoms": [HR], "stereotyping": [HR],
    "dignity loss": [HR], "personality rights loss": [HR], "confidentiality loss": [HR], "harassment": [PSYCH],
    "anxiety/distress": [PSYCH], "trauma": [PSYCH], "addiction": [PSYCH], "autonomy/agency loss": [PSYCH],
    "dehumanisation/objectification": [PSYCH], "chilling effect": [PUBLIC], "financial loss": [ECON],
    "property damage": [ECON], "fraud": [ECON], "ip/copyright loss": [ECON], "job loss/losses": [ECON],
    "opportunity loss": [ECON], "loss of life": [DEATH], "bodily injury": [INJURY], "health deterioration": [INJURY],
    "reputational damage": [REPUT], "defamation": [REPUT], "institutional trust loss": [PUBLIC],
    "deception/manipulation": [PUBLIC], "operational disruption": [PUBLIC], "trust loss": [PUBLIC],
    "misinformation": [PUBLIC], "disinformation": [PUBLIC], "polarisation": [PUBLIC],
}
# -- AIAAIC "Ethical issue" -> ai_principles ---------------------------------------------------------
AIAAIC_PRINCIPLES = {
    "transparency": ["Transparency & explainability"], "accountability": ["Accountability"],
    "privacy": ["Privacy & data governance"], "surveillance": ["Privacy & data governance", "Respect of human rights"],
    "safety": ["Safety"], "fairness": ["Fairness"], "mis/disinformation": ["Democracy & human autonomy"],
    "security": ["Robustness & digital security"], "accuracy/reliability": ["Robustness & digital security"],
    "human rights/civil liberties": ["Respect of human rights"], "autonomy/agency": ["Democracy & human autonomy"],
    "environment": ["Sustainability"], "employment/labour": ["Human wellbeing"], "consent": ["Privacy & data governance"],
}
# -- AIAAIC "Sector" and CSETv1 "Sector of Deployment" (substring match) -> industries -------------
SECTOR_INDUSTRY = {
    "media": ["Media, social platforms, and marketing"], "entertainment": ["Arts, entertainment, and recreation"],
    "arts": ["Arts, entertainment, and recreation"], "politics": ["Government, security, and defence"],
    "govt": ["Government, security, and defence"], "law enforcement": ["Government, security, and defence"],
    "public administration": ["Government, security, and defence"], "defence": ["Government, security, and defence"],
    "technology": ["IT infrastructure and hosting"], "information and communication": ["Media, social platforms, and marketing"],
    "automotive": ["Mobility and autonomous vehicles"], "transport": ["Mobility and autonomous vehicles"],
    "education": ["Education and training"], "health": ["Healthcare, drugs, and biotechnology"],
    "business/professional": ["Business processes and support services"],
    "administrative and support": ["Business processes and support services"],
    "retail": ["Logistics, wholesale, and retail"], "wholesale": ["Logistics, wholesale, and retail"],
    "banking": ["Financial and insurance services"], "financial": ["Financial and insurance services"],
    "insurance": ["Financial and insurance services"], "consumer goods": ["Consumer products"],
    "travel": ["Travel, leisure, and hospitality"], "accommodation": ["Travel, leisure, and hospitality"],
    "real estate": ["Real estate"], "energy": ["Energy, raw materials, and utilities"],
    "agriculture": ["Agriculture"], "food": ["Food and beverages"], "manufacturing": ["Robots, sensors, and IT hardware"],
}
# -- AIAAIC "Technology" (substring) -> ai_tasks -------------------------------------------------------
TECH_TASK = {
    "generative": ["Content generation"], "deepfake": ["Content generation"], "text-to-": ["Content generation"],
    "large language model": ["Content generation"], "chatbot": ["Interaction support/chatbots"],
    "virtual assistant": ["Interaction support/chatbots"], "facial recognition": ["Recognition/object detection"],
    "facial detection": ["Recognition/object detection"], "computer vision": ["Recognition/object detection"],
    "object recognition": ["Recognition/object detection"], "speech recognition": ["Recognition/object detection"],
    "emotion recognition": ["Recognition/object detection"], "recommendation": ["Organisation/recommenders"],
    "content moderation": ["Event/anomaly detection"], "anomaly": ["Event/anomaly detection"],
    "prediction": ["Forecasting/prediction"], "risk assessment": ["Forecasting/prediction"],
    "scoring": ["Forecasting/prediction"], "pricing": ["Forecasting/prediction"],
    "self-driving": ["Goal-driven organisation"], "driver assistance": ["Goal-driven organisation"],
    "robotics": ["Goal-driven organisation"], "personalisation": ["Personalisation"],
}
# -- MIT AI Risk Repository subdomain (prefix) -> harm_types ----------------------------------------
MIT_HARM = {
    "1.1": [HR], "1.2": [PSYCH], "1.3": [HR], "2.1": [HR], "2.2": [ECON], "3.1": [PUBLIC], "3.2": [PUBLIC],
    "4.1": [PUBLIC], "4.2": [ECON], "4.3": [ECON], "5.1": [PSYCH], "5.2": [PSYCH], "6.1": [ECON], "6.2": [ECON],
    "6.3": [ECON], "6.5": [PUBLIC], "6.6": [ENV],
}
# -- CSETv1 "Autonomy Level" -> autonomy_level -----------------------------------------------------
CSET_AUTONOMY = {
    "autonomy1": ["High-action autonomy (human-out-of-the-loop)"],
    "autonomy2": ["Medium-action autonomy (human-on-the-loop)"],
    "autonomy3": ["Low-action autonomy (human-in-the-loop)"],
}
# -- AIID harmed-party slugs and CSET harmed classes (token match) -> affected_stakeholders ---------
STAKEHOLDER_WORDS = {
    "children": ["Children"], "minors": ["Children"], "kids": ["Children"], "students": ["Children"],
    "teenagers": ["Children"], "women": ["Women"], "girls": ["Women"], "workers": ["Workers"],
    "employees": ["Workers"], "drivers": ["Workers"], "contractors": ["Workers"], "customers": ["Consumers"],
    "consumers": ["Consumers"], "users": ["Consumers"], "shoppers": ["Consumers"], "public": ["General public"],
    "citizens": ["General public"], "residents": ["General public"], "pedestrians": ["General public"],
    "people": ["General public"], "voters": ["General public"], "government": ["Government"],
    "businesses": ["Business"], "companies": ["Business"], "business": ["Business"], "journalists": ["Civil society"],
    "activists": ["Civil society"], "artists": ["Civil society"], "unions": ["Trade unions"],
}


# -- AIAAIC "Purpose" (free text, substring match) -> business_functions --------------------------------
# What the system was for, read as the OECD business function it served. The purposes are AIAAIC's own words
# (920 distinct, "Identify criminal suspects", "Moderate content", "Calculate price"); a purpose naming no
# function ("Generate text", "Defraud", "Create characters") maps to nothing.
PURPOSE_FUNCTION = {
    "law enforcement": ["Compliance and justice"], "criminal": ["Compliance and justice"],
    "suspect": ["Compliance and justice"], "police": ["Compliance and justice"], "crime": ["Compliance and justice"],
    "reoffend": ["Compliance and justice"], "recidivism": ["Compliance and justice"],
    "gunfire": ["Compliance and justice"], "gang": ["Compliance and justice"], "protest": ["Compliance and justice"],
    "sentenc": ["Compliance and justice"], "bail": ["Compliance and justice"], "immigra": ["Compliance and justice"],
    "border": ["Compliance and justice"], "asylum": ["Compliance and justice"], "legal": ["Compliance and justice"],
    "compliance": ["Compliance and justice"], "benefit fraud": ["Compliance and justice"],
    "welfare fraud": ["Compliance and justice"], "tax fraud": ["Compliance and justice"],
    "strengthen security": ["ICT management and information security"],
    "cybersecurity": ["ICT management and information security"],
    "detect fraud": ["ICT management and information security"],
    "verify identity": ["ICT management and information security"],
    "authenticat": ["ICT management and information security"],
    "detect malware": ["ICT management and information security"],
    "detect bots": ["ICT management and information security"],
    "moderate": ["Monitoring and quality control"], "detect hate": ["Monitoring and quality control"],
    "detect misinformation": ["Monitoring and quality control"], "detect ai writing": ["Monitoring and quality control"],
    "plagiarism": ["Monitoring and quality control"], "cheating": ["Monitoring and quality control"],
    "proctor": ["Monitoring and quality control"], "monitor": ["Monitoring and quality control"],
    "inspect": ["Monitoring and quality control"], "quality": ["Monitoring and quality control"],
    "fact-check": ["Monitoring and quality control"], "detect nudity": ["Monitoring and quality control"],
    "advertis": ["Marketing and advertisement"], "marketing": ["Marketing and advertisement"],
    "recommend": ["Marketing and advertisement"], "promote": ["Marketing and advertisement"],
    "engagement": ["Marketing and advertisement"], "calculate price": ["Sales"], "pricing": ["Sales"],
    "optimise revenue": ["Sales"], "determine seller": ["Sales"], "sell ": ["Sales"], "sales": ["Sales"],
    "customer service": ["Citizen/customer service"], "customer support": ["Citizen/customer service"],
    "answer questions": ["Citizen/customer service"], "provide information, services": ["Citizen/customer service"],
    "citizen": ["Citizen/customer service"], "public services": ["Citizen/customer service"],
    "recruit": ["Human resource management"], "hiring": ["Human resource management"],
    "job applicant": ["Human resource management"], "job candidate": ["Human resource management"],
    "assess employee": ["Human resource management"], "employee performance": ["Human resource management"],
    "manage workers": ["Human resource management"], "workforce": ["Human resource management"],
    "deliver": ["Logistics"], "direct drivers": ["Logistics"], "logistic": ["Logistics"],
    "warehouse": ["Logistics"], "route": ["Logistics"], "schedul": ["Logistics"],
    "train ai": ["Research and development"], "train large language": ["Research and development"],
    "train facial": ["Research and development"], "research": ["Research and development"],
    "manufactur": ["Production"], "assemble": ["Production"], "maintenance": ["Maintenance"],
    "repair": ["Maintenance"], "budget": ["Planning and budgeting"], "allocate": ["Planning and budgeting"],
    "forecast": ["Planning and budgeting"], "procure": ["Procurement"], "accounting": ["Accounting"],
    "audit": ["Accounting"],
}


def map_values(values: Iterable[str], table: dict[str, list[str]], *, substring: bool = False) -> list[str]:
    """Apply one mapping table to source values; unknown values map to nothing."""
    out: list[str] = []
    for raw in values:
        v = raw.strip().lower()
        if not v:
            continue
        hits = [k for k in table if (k in v if substring else k == v)]
        for k in hits:
            for target in table[k]:
                if target not in out:
                    out.append(target)
    return out


def map_stakeholders(slugs: Iterable[str]) -> list[str]:
    out: list[str] = []
    for slug in slugs:
        for tok in re.split(r"[-_\s]+", slug.lower()):
            for target in STAKEHOLDER_WORDS.get(tok, []):
                if target not in out:
                    out.append(target)
    return out


def split_multi(value: str | None) -> list[str]:
    """AIAAIC and CSET multi-values: '; ' or ', ' separated."""
    if not value:
        return []
    return [v.strip() for v in re.split(r"[;\n]|, (?=[A-Z])", value) if v.strip()]
