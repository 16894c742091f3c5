"""Who is in the demo: the agent roster and teams, and the names and markets customers come from."""

from __future__ import annotations

from dataclasses import dataclass

from kefu.accounts.enums import Level, Role, TeamKind

DEMO_EMAIL_DOMAIN = "demo.kefu.dev"


@dataclass(frozen=True)
class TeamSpec:
    """A team of the demo workspace."""

    key: str
    name: str
    kind: TeamKind
    description: str


@dataclass(frozen=True)
class AgentSpec:
    """An agent of the demo workspace; `login` names the agents whose password is printed."""

    key: str
    display_name: str
    role: Role
    level: Level
    languages: tuple[str, ...]
    teams: tuple[str, ...]
    login: str | None = None

    @property
    def email(self) -> str:
        """The agent's login email."""
        return f"{self.key}@{DEMO_EMAIL_DOMAIN}"

    @property
    def first_name(self) -> str:
        """How the agent signs messages to customers."""
        return self.display_name.split()[-1] if self.languages[0] == "zh" else self.display_name.split()[0]


TIER1, TIER2, QA, LOGISTICS, FINANCE, TECH = "tier1", "tier2", "qa", "logistics", "finance", "tech"

TEAMS = (
    TeamSpec(TIER1, "Tier 1 — Front line", TeamKind.TIER,
             "First contact on every channel, all languages."),
    TeamSpec(TIER2, "Tier 2 — Experts", TeamKind.TIER,
             "Senior agents: VIP customers, hard complaints, escalations."),
    TeamSpec(QA, "Quality", TeamKind.QA, "Inspects conversations against the scorecard."),
    TeamSpec(LOGISTICS, "Logistics", TeamKind.DEPARTMENT,
             "Courier traces, delivery exceptions; replies within 4 hours."),
    TeamSpec(FINANCE, "Finance", TeamKind.DEPARTMENT,
             "Refunds and duplicate charges; replies within 8 hours."),
    TeamSpec(TECH, "Tech", TeamKind.DEPARTMENT, "Account, login and app issues; replies within 2 hours."),
)

AGENTS = (
    AgentSpec("admin", "Chen Wei", Role.ADMIN, Level.SENIOR, ("zh", "en"), (), login="admin"),
    AgentSpec("supervisor", "Nurul Aisyah", Role.SUPERVISOR, Level.SENIOR, ("ms", "id", "en"),
              (TIER1, TIER2), login="supervisor"),
    AgentSpec("agent", "Li Na", Role.AGENT, Level.INTERMEDIATE, ("zh", "en"), (TIER1,), login="tier-1 agent"),
    AgentSpec("wang.fang", "Wang Fang", Role.AGENT, Level.JUNIOR, ("zh",), (TIER1,)),
    AgentSpec("budi", "Budi Santoso", Role.AGENT, Level.INTERMEDIATE, ("id", "en"), (TIER1,)),
    AgentSpec("dewi", "Dewi Lestari", Role.AGENT, Level.JUNIOR, ("id", "ms"), (TIER1,)),
    AgentSpec("lan", "Lan Nguyen", Role.AGENT, Level.INTERMEDIATE, ("vi", "en"), (TIER1,)),
    AgentSpec("duc", "Duc Tran", Role.AGENT, Level.JUNIOR, ("vi",), (TIER1,)),
    AgentSpec("somchai", "Somchai Prasert", Role.AGENT, Level.INTERMEDIATE, ("th", "en"), (TIER1,)),
    AgentSpec("kanya", "Kanya Srisuk", Role.AGENT, Level.JUNIOR, ("th",), (TIER1,)),
    AgentSpec("aminah", "Siti Aminah", Role.AGENT, Level.INTERMEDIATE, ("ms", "id", "en"), (TIER1,)),
    AgentSpec("senior", "Zhang Hui", Role.AGENT, Level.SENIOR, ("zh", "en"), (TIER2,),
              login="tier-2 senior agent"),
    AgentSpec("hakim", "Hakim Rahman", Role.AGENT, Level.SENIOR, ("ms", "id", "en"), (TIER2,)),
    AgentSpec("quoc.anh", "Anh Pham", Role.AGENT, Level.SENIOR, ("vi", "en"), (TIER2,)),
    AgentSpec("ananya", "Ananya Wongsa", Role.AGENT, Level.SENIOR, ("th", "en"), (TIER2,)),
    AgentSpec("qa", "Liu Yang", Role.QA_INSPECTOR, Level.SENIOR, ("zh", "en"), (QA,), login="QA inspector"),
    AgentSpec("maria", "Maria Santos", Role.QA_INSPECTOR, Level.INTERMEDIATE, ("en", "id"), (QA,)),
    AgentSpec("hendra", "Hendra Wijaya", Role.AGENT, Level.INTERMEDIATE, ("id", "en"), (LOGISTICS,)),
    AgentSpec("meiling", "Tan Mei Ling", Role.AGENT, Level.INTERMEDIATE, ("zh", "en", "ms"), (FINANCE,)),
    AgentSpec("arjun", "Arjun Nair", Role.AGENT, Level.INTERMEDIATE, ("en",), (TECH,)),
)


@dataclass(frozen=True)
class NameStock:
    """Given and family names of one language, each as (written, romanised) for email addresses."""

    given: tuple[tuple[str, str], ...]
    family: tuple[tuple[str, str], ...]
    family_first: bool


NAMES: dict[str, NameStock] = {
    "zh": NameStock(
        given=(("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
               ("强", "qiang"), ("磊", "lei"), ("洋", "yang"), ("艳", "yan"), ("俊杰", "junjie"),
               ("雨桐", "yutong"), ("子轩", "zixuan"), ("欣怡", "xinyi")),
        family=(("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
                ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou")),
        family_first=True,
    ),
    "en": NameStock(
        given=(("Daniel", "daniel"), ("Sarah", "sarah"), ("Marcus", "marcus"), ("Grace", "grace"),
               ("Ryan", "ryan"), ("Michelle", "michelle"), ("Jason", "jason"), ("Angela", "angela"),
               ("Kevin", "kevin"), ("Joanne", "joanne"), ("Mark", "mark"), ("Patricia", "patricia")),
        family=(("Tan", "tan"), ("Lim", "lim"), ("Reyes", "reyes"), ("Santos", "santos"), ("Ng", "ng"),
                ("Wong", "wong"), ("Cruz", "cruz"), ("Lee", "lee"), ("Fernandez", "fernandez"),
                ("Goh", "goh"), ("Bautista", "bautista")),
        family_first=False,
    ),
    "id": NameStock(
        given=(("Andi", "andi"), ("Rina", "rina"), ("Agus", "agus"), ("Sri", "sri"), ("Yusuf", "yusuf"),
               ("Putri", "putri"), ("Rizky", "rizky"), ("Wulan", "wulan"), ("Fajar", "fajar"),
               ("Indah", "indah"), ("Bayu", "bayu"), ("Ayu", "ayu")),
        family=(("Pratama", "pratama"), ("Saputra", "saputra"), ("Wijaya", "wijaya"),
                ("Hidayat", "hidayat"), ("Kusuma", "kusuma"), ("Siregar", "siregar"),
                ("Nasution", "nasution"), ("Halim", "halim"), ("Setiawan", "setiawan")),
        family_first=False,
    ),
    "vi": NameStock(
        given=(("Văn An", "an"), ("Thị Bình", "binh"), ("Thu Hà", "ha"), ("Ngọc Linh", "linh"),
               ("Quang Hùng", "hung"), ("Thị Mai", "mai"), ("Hoài Nam", "nam"), ("Phương Thảo", "thao"),
               ("Minh Tuấn", "tuan"), ("Thu Trang", "trang"), ("Đức Huy", "huy")),
        family=(("Nguyễn", "nguyen"), ("Trần", "tran"), ("Lê", "le"), ("Phạm", "pham"),
                ("Hoàng", "hoang"), ("Huỳnh", "huynh"), ("Phan", "phan"), ("Vũ", "vu"), ("Võ", "vo"),
                ("Đặng", "dang")),
        family_first=True,
    ),
    "th": NameStock(
        given=(("สมชาย", "somchai"), ("สุดา", "suda"), ("ณัฐพล", "nattapon"), ("พิมพ์ชนก", "pimchanok"),
               ("ธนากร", "thanakorn"), ("กมลชนก", "kamonchanok"), ("วีระ", "weera"), ("อรุณี", "arunee"),
               ("ปิยะ", "piya"), ("ศิริพร", "siriporn")),
        family=(("ใจดี", "jaidee"), ("ศรีสุข", "srisuk"), ("วงศ์ไทย", "wongthai"), ("บุญมา", "boonma"),
                ("แสงทอง", "saengthong"), ("สุขสวัสดิ์", "suksawat"), ("รัตนพันธ์", "rattanapan")),
        family_first=False,
    ),
    "ms": NameStock(
        given=(("Ahmad", "ahmad"), ("Nur", "nur"), ("Muhammad", "muhammad"), ("Siti", "siti"),
               ("Farid", "farid"), ("Aisyah", "aisyah"), ("Hafiz", "hafiz"), ("Nabila", "nabila"),
               ("Azlan", "azlan"), ("Liyana", "liyana"), ("Amir", "amir"), ("Zulaikha", "zulaikha")),
        family=(("bin Ismail", "ismail"), ("binti Yusof", "yusof"), ("bin Hassan", "hassan"),
                ("binti Abdullah", "abdullah"), ("bin Osman", "osman"), ("binti Rahim", "rahim"),
                ("bin Salleh", "salleh")),
        family_first=False,
    ),
}
"""Common given and family names per language (combined at random; no real person intended)."""


@dataclass(frozen=True)
class MarketSpec:
    """A country customers live in: currency, phone prefixes, messaging habits, UTC offset."""

    code: str
    currency: str
    utc_offset_hours: int
    mobile_prefixes: tuple[str, ...]
    """International prefixes of mobile numbers."""
    mobile_digits: int
    """Random digits that follow a prefix."""
    social: tuple[str, ...]
    """Identity kinds customers of this market use most, most common first."""
    email_domains: tuple[str, ...]
    rate: str
    """A typical exchange-rate question's answer, with {r} for the jittered rate."""
    base_rate: float


MARKETS: dict[str, MarketSpec] = {
    "CN": MarketSpec("CN", "CNY", 8, ("+86138", "+86139", "+86186", "+86150", "+86158"), 8,
                     ("wechat", "app", "phone"), ("qq.example.com", "163.example.com"),
                     "1 USD = {r} CNY", 7.2),
    "SG": MarketSpec("SG", "SGD", 8, ("+658", "+659"), 7, ("whatsapp", "facebook", "app", "email"),
                     ("gmail.example.com", "singnet.example.com"), "1 SGD = {r} MYR", 3.46),
    "MY": MarketSpec("MY", "MYR", 8, ("+6012", "+6013", "+6017", "+6019"), 7,
                     ("whatsapp", "facebook", "app", "email"), ("gmail.example.com", "yahoo.example.com"),
                     "1 SGD = {r} MYR", 3.46),
    "ID": MarketSpec("ID", "IDR", 7, ("+62812", "+62813", "+62821", "+62857"), 8,
                     ("whatsapp", "app", "facebook", "email"), ("gmail.example.com", "yahoo.example.com"),
                     "1 USD = {r} IDR", 15800.0),
    "VN": MarketSpec("VN", "VND", 7, ("+8490", "+8491", "+8493", "+8497"), 7,
                     ("zalo", "facebook", "phone", "app"), ("gmail.example.com",), "1 USD = {r} VND",
                     25400.0),
    "TH": MarketSpec("TH", "THB", 7, ("+6681", "+6686", "+6689"), 7, ("line", "facebook", "phone", "app"),
                     ("hotmail.example.com", "gmail.example.com"), "1 USD = {r} THB", 35.6),
    "PH": MarketSpec("PH", "PHP", 8, ("+63917", "+63918", "+63927", "+63956"), 7,
                     ("facebook", "app", "phone", "email"), ("gmail.example.com", "yahoo.example.com"),
                     "1 USD = {r} PHP", 57.3),
    "BN": MarketSpec("BN", "BND", 8, ("+6737", "+6738"), 6, ("whatsapp", "app", "email"),
                     ("gmail.example.com",), "1 BND = {r} MYR", 3.46),
}

LANGUAGE_SHARE: dict[str, float] = {"zh": 0.25, "en": 0.17, "id": 0.18, "vi": 0.14, "th": 0.14, "ms": 0.12}
"""Share of demo customers by language."""

LANGUAGE_MARKETS: dict[str, dict[str, float]] = {
    "zh": {"CN": 0.7, "SG": 0.15, "MY": 0.15},
    "en": {"SG": 0.4, "PH": 0.4, "MY": 0.2},
    "id": {"ID": 1.0},
    "vi": {"VN": 1.0},
    "th": {"TH": 1.0},
    "ms": {"MY": 0.85, "SG": 0.1, "BN": 0.05},
}
"""Where the speakers of each language live."""

CNY_PER_UNIT: dict[str, float] = {"CNY": 1.0, "SGD": 5.35, "MYR": 1.55, "IDR": 0.000455,
                                  "VND": 0.000284, "THB": 0.2, "PHP": 0.126, "BND": 5.35}
"""Rough value of one unit of each currency in CNY, to size amounts alike across markets."""
