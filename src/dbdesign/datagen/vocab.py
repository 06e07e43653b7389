"""Small word lists for realistic-looking values. Every entry is plain ASCII without tabs,
newlines or backslashes, so values built from them need no escaping in COPY text."""

from __future__ import annotations

import itertools
import random
from functools import cache

FIRST_NAMES = (
    "james mary john patricia robert jennifer michael linda william elizabeth david barbara "
    "richard susan joseph jessica thomas sarah charles karen daniel nancy matthew lisa anthony "
    "betty mark margaret donald sandra steven ashley paul kimberly andrew emily joshua donna "
    "kenneth michelle kevin dorothy brian carol george amanda edward melissa ronald deborah "
    "timothy stephanie jason rebecca jeffrey sharon ryan laura jacob cynthia gary kathleen "
    "nicholas amy eric angela jonathan shirley larry anna justin ruth scott brenda olga "
    "yuki amara ravi chen fatima lucas sofia mateo ingrid aisha noah priya omar elena"
).split()

LAST_NAMES = (
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez "
    "gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white "
    "harris sanchez clark ramirez lewis robinson walker young allen king wright scott torres "
    "nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter roberts "
    "gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales "
    "murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos "
    "kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes "
    "price alvarez castillo sanders patel myers long ross foster jimenez okafor schmidt rossi"
).split()

WORDS = (
    "alpha amber anchor apple arrow atlas aurora autumn badge bamboo banner basin beacon berry "
    "birch blaze bloom bolt breeze brick bridge bronze brook cable cactus canyon carbon cargo "
    "castle cedar chalk charm cherry cider cinder citrus clay cliff cloud clover cobalt comet "
    "copper coral cosmos cotton crane crest crystal cypress dawn delta desert dune eagle echo "
    "ember falcon feather fern fiber field flame flint forest fossil fox frost galaxy garden "
    "garnet gate glacier glade granite grove harbor hazel heron horizon indigo iris island "
    "ivory jade jasper juniper kernel lagoon lantern lark laurel lemon lily linen lotus lunar "
    "maple marble meadow mesa meteor mint mist moss nectar nova oak oasis ocean olive onyx "
    "orbit orchid otter palm pearl pebble pepper pine planet plume prairie prism quartz quill "
    "rain raven reef ridge river robin ruby saffron sage salt sand sapphire shadow shore "
    "sierra silk silver slate snow solar spark spruce star stone storm summit sun swift "
    "thistle thunder tide timber topaz trail tulip tundra valley velvet vine violet wave "
    "willow wind winter wolf zenith"
).split()

CITIES = (
    "London",
    "Paris",
    "Berlin",
    "Madrid",
    "Rome",
    "Lisbon",
    "Dublin",
    "Vienna",
    "Prague",
    "Warsaw",
    "Oslo",
    "Stockholm",
    "Helsinki",
    "Athens",
    "Istanbul",
    "Cairo",
    "Lagos",
    "Nairobi",
    "Johannesburg",
    "Dubai",
    "Mumbai",
    "Delhi",
    "Bangalore",
    "Singapore",
    "Bangkok",
    "Jakarta",
    "Manila",
    "Tokyo",
    "Osaka",
    "Seoul",
    "Beijing",
    "Shanghai",
    "Sydney",
    "Melbourne",
    "Auckland",
    "Toronto",
    "Vancouver",
    "Montreal",
    "New York",
    "Chicago",
    "Boston",
    "Seattle",
    "Austin",
    "Denver",
    "Miami",
    "Mexico City",
    "Bogota",
    "Lima",
    "Santiago",
    "Buenos Aires",
    "Sao Paulo",
)

# (name, ISO 3166-1 alpha-2, alpha-3)
COUNTRIES = (
    ("United States", "US", "USA"),
    ("United Kingdom", "GB", "GBR"),
    ("Germany", "DE", "DEU"),
    ("France", "FR", "FRA"),
    ("Spain", "ES", "ESP"),
    ("Italy", "IT", "ITA"),
    ("Portugal", "PT", "PRT"),
    ("Netherlands", "NL", "NLD"),
    ("Belgium", "BE", "BEL"),
    ("Ireland", "IE", "IRL"),
    ("Austria", "AT", "AUT"),
    ("Switzerland", "CH", "CHE"),
    ("Poland", "PL", "POL"),
    ("Sweden", "SE", "SWE"),
    ("Norway", "NO", "NOR"),
    ("Finland", "FI", "FIN"),
    ("Denmark", "DK", "DNK"),
    ("Greece", "GR", "GRC"),
    ("Turkey", "TR", "TUR"),
    ("Egypt", "EG", "EGY"),
    ("Nigeria", "NG", "NGA"),
    ("Kenya", "KE", "KEN"),
    ("South Africa", "ZA", "ZAF"),
    ("India", "IN", "IND"),
    ("China", "CN", "CHN"),
    ("Japan", "JP", "JPN"),
    ("South Korea", "KR", "KOR"),
    ("Singapore", "SG", "SGP"),
    ("Thailand", "TH", "THA"),
    ("Indonesia", "ID", "IDN"),
    ("Australia", "AU", "AUS"),
    ("New Zealand", "NZ", "NZL"),
    ("Canada", "CA", "CAN"),
    ("Mexico", "MX", "MEX"),
    ("Brazil", "BR", "BRA"),
    ("Argentina", "AR", "ARG"),
    ("Chile", "CL", "CHL"),
    ("Colombia", "CO", "COL"),
    ("Peru", "PE", "PER"),
)

CURRENCIES = "USD EUR GBP JPY CNY INR AUD CAD CHF SEK NOK DKK PLN BRL MXN ZAR SGD NZD KRW".split()

EMAIL_DOMAINS = "example.com example.org example.net mail.test inbox.test corp.example".split()

STREET_SUFFIXES = "Street Avenue Road Lane Drive Way Court Place Boulevard Terrace".split()

STATUSES = ("active", "pending", "inactive", "suspended", "archived")

COLORS = "red green blue yellow orange purple black white gray pink brown teal".split()

COMPANY_SUFFIXES = "Inc Ltd GmbH LLC Group Labs Systems Partners".split()

TLDS = "com org net io dev".split()


@cache
def prose() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """A 30,000-word vocabulary for free text and its cumulative Zipf weights (s = 1.07).

    Real prose has a long tail: most words are rare, so a search for a rare word matches few
    rows and the planner estimates it so. Drawn from :data:`WORDS` alone (a couple of hundred
    words), every word would be common and a full-text index would look no better than a scan.
    The common ranks are :data:`WORDS`; the tail is made of two syllables (letters only, so
    the lists still hold no digits); both in a fixed order.
    """
    onsets = "b c d f g h j k l m n p r s t v w z br ch cl dr fl gr pl sh st tr".split()
    vowels = "a e i o u ai ea io ou".split()
    syllables = [o + v for o in onsets for v in vowels]  # 225
    seen = set(WORDS)
    tail = [w for a in syllables for b in syllables if (w := a + b) not in seen]
    rng = random.Random(7)
    head = rng.sample(WORDS, len(WORDS))
    words = (*head, *rng.sample(tail, 30_000 - len(head)))
    cum = tuple(itertools.accumulate(1.0 / (rank**1.07) for rank in range(1, len(words) + 1)))
    return words, cum
