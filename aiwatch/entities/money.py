"""Money in text: "$3.75 million", "£20m", "EUR 5 billion", "1.2 billion yuan" -> value and ISO currency.

Values are normalised to a plain number in the stated currency (no exchange rates: a rate would
be a guess about the day). A percentage, a year or a bare number is never an amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SYMBOLS = {"us$": "USD", "usd$": "USD", "$": "USD", "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD",
           "nz$": "NZD", "hk$": "HKD", "nt$": "TWD", "mx$": "MXN", "s$": "SGD", "r$": "BRL", "€": "EUR", "£": "GBP",
           "¥": "JPY", "₹": "INR", "₩": "KRW", "₦": "NGN", "₽": "RUB", "₺": "TRY", "₱": "PHP"}
# Letters that stand before an amount as a currency's sign, matched only as written ("the rs 2 model" is none).
LETTER_SYMBOLS = {"Rs.": "INR", "Rs": "INR", "RM": "MYR", "Rp": "IDR"}
WORDS = {"usd": "USD", "dollars": "USD", "dollar": "USD", "eur": "EUR", "euro": "EUR", "euros": "EUR",
         "gbp": "GBP", "pounds": "GBP", "pound": "GBP", "sterling": "GBP", "yuan": "CNY", "renminbi": "CNY",
         "rmb": "CNY", "cny": "CNY", "yen": "JPY", "jpy": "JPY", "rupees": "INR", "rupee": "INR", "inr": "INR",
         "cad": "CAD", "aud": "AUD", "chf": "CHF", "swiss francs": "CHF", "won": "KRW", "krw": "KRW",
         "brl": "BRL", "reais": "BRL", "sek": "SEK", "kronor": "SEK", "nok": "NOK", "dkk": "DKK", "zar": "ZAR",
         "rand": "ZAR", "sgd": "SGD", "hkd": "HKD", "nzd": "NZD", "mxn": "MXN", "pesos": "MXN",
         "rubles": "RUB", "roubles": "RUB", "lira": "TRY", "naira": "NGN", "ringgit": "MYR",
         "baht": "THB", "dirhams": "AED", "aed": "AED", "riyals": "SAR", "shekels": "ILS", "zloty": "PLN",
         "hryvnias": "UAH", "rupiah": "IDR", "idr": "IDR", "myr": "MYR", "pln": "PLN", "twd": "TWD",
         "new taiwan dollars": "TWD"}
SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
         "b": 1e9, "trillion": 1e12, "tn": 1e12, "crore": 1e7, "lakh": 1e5}

_NUM = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
_SCALE = r"(?:\s?(thousand|million|mln|billion|trillion|crore|lakh|bn|tn|mn|m|k|b)\b)?"
_SYM = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_WORD = "|".join(re.escape(w) for w in sorted(WORDS, key=len, reverse=True))
# "$3.75 million", "US$ 2bn", "€20m"
_SYMBOL_FORM = re.compile(rf"(?<![\w$])({_SYM})\s?{_NUM}{_SCALE}", re.I)
# "Rs 50 crore", "RM5 million"
_LETTER_FORM = re.compile(rf"(?<![\w$])({'|'.join(re.escape(s) for s in LETTER_SYMBOLS)})\s?{_NUM}{_SCALE}")
# "USD 3 million", "EUR 5bn"
_CODE_FIRST = re.compile(rf"\b(USD|EUR|GBP|CHF|CAD|AUD|INR|CNY|JPY|KRW|BRL|SEK|NOK|DKK|ZAR|SGD|HKD|NZD|MXN|RUB|TRY|"
                         rf"NGN|MYR|THB|AED|SAR|ILS|PLN|UAH|IDR|PHP|TWD)\s?{_NUM}"
                         rf"{_SCALE}")
# "1.2 billion yuan", "500,000 euros"
_WORD_AFTER = re.compile(rf"(?<![\w.]){_NUM}{_SCALE}\s?(?:in\s)?({_WORD})\b", re.I)


@dataclass(frozen=True)
class Money:
    value: float
    currency: str
    text: str
    start: int
    end: int


def _value(whole: str, frac: str | None, scale: str | None) -> float:
    number = float(whole.replace(",", "") + ("." + frac if frac else ""))
    return number * SCALE.get((scale or "").lower(), 1.0)


def find_amounts(sentence: str) -> list[Money]:
    """Every amount of money in one sentence, left to right, without overlaps."""
    found: list[Money] = []
    for m in _SYMBOL_FORM.finditer(sentence):
        sym = m.group(1).lower()
        found.append(Money(_value(m.group(2), m.group(3), m.group(4)), SYMBOLS[sym], m.group(0).strip(),
                           m.start(), m.end()))
    for m in _LETTER_FORM.finditer(sentence):
        found.append(Money(_value(m.group(2), m.group(3), m.group(4)), LETTER_SYMBOLS[m.group(1)], m.group(0).strip(),
                           m.start(), m.end()))
    for m in _CODE_FIRST.finditer(sentence):
        if m.group(1) == "PHP" and "," not in m.group(2) and not m.group(4):
            continue  # "PHP 8", "PHP 7.4": the programming language; pesos read "PHP 100,000", "PHP 5 million"
        found.append(Money(_value(m.group(2), m.group(3), m.group(4)), m.group(1).upper(), m.group(0).strip(),
                           m.start(), m.end()))
    for m in _WORD_AFTER.finditer(sentence):
        word = m.group(4).lower()
        scale = m.group(3)
        if scale and scale.lower() in ("m", "b", "k") and not word:
            continue
        found.append(Money(_value(m.group(1), m.group(2), scale), WORDS[word], m.group(0).strip(), m.start(), m.end()))
    found.sort(key=lambda x: (x.start, -(x.end - x.start)))
    out: list[Money] = []
    for money in found:
        if out and money.start < out[-1].end:
            continue  # the longer, earlier reading wins
        if money.value <= 0:
            continue
        out.append(money)
    return out
