"""Generate a deterministic synthetic news archive for benchmarking newsgen.

Usage::

    python benchmarks/generate.py N OUT_DIR [--seed 1] [--force]

Writes ``OUT_DIR/newsgen.yaml`` and ``N`` articles under
``OUT_DIR/content/YYYY/MM/<slug>.md``.  The same ``N`` and ``--seed`` always give
byte-identical files: every random choice comes from one ``random.Random(seed)``
drawn in a fixed order, and nothing depends on the clock, on ``hash()`` or on the
order of a directory listing.  Only the standard library is used.

``OUT_DIR`` must be empty, or hold a previous corpus made by this script (it has
the marker file ``.newsgen-bench.json``), or ``--force`` must be given; the old
``content/`` folder is then removed first.  The marker is written last, so a
corpus whose generation was interrupted has none.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

# Bump when the output for a given (N, seed) changes, so cached corpora are rebuilt.
GENERATOR_VERSION = 1
MARKER_NAME = ".newsgen-bench.json"

START_DATE = dt.date(2005, 1, 1)
END_DATE = dt.date(2025, 1, 1)  # exclusive
TOTAL_DAYS = (END_DATE - START_DATE).days

# --------------------------------------------------------------------------- pools

DISTRICTS: tuple[tuple[str, str], ...] = (
    ("Jintai District", "金台区"),
    ("Weibin District", "渭滨区"),
    ("Chencang District", "陈仓区"),
    ("Fengxiang District", "凤翔区"),
    ("Qishan County", "岐山县"),
    ("Fufeng County", "扶风县"),
    ("Meixian County", "眉县"),
    ("Longxian County", "陇县"),
    ("Qianyang County", "千阳县"),
    ("Linyou County", "麟游县"),
    ("Fengxian County", "凤县"),
    ("Taibai County", "太白县"),
)

EVENT_TYPES: tuple[str, ...] = (
    "meeting",
    "conference",
    "inspection",
    "training",
    "notice",
    "research",
    "ceremony",
    "campaign",
)

UNITS: tuple[str, ...] = (
    "Organization Department of the District Committee",
    "Propaganda Department of the District Party Committee",
    "United Front Work Department of the District Committee",
    "Political and Legal Affairs Commission of the District Committee",
    "Party School of the District Party Committee",
    "District Commission for Discipline Inspection",
    "General Office of the District Committee",
    "General Office of the District Government",
    "District Development and Reform Bureau",
    "District Education and Sports Bureau",
    "District Science and Technology Bureau",
    "District Industry and Information Technology Bureau",
    "District Public Security Bureau",
    "District Civil Affairs Bureau",
    "District Justice Bureau",
    "District Finance Bureau",
    "District Human Resources and Social Security Bureau",
    "District Natural Resources Bureau",
    "District Ecology and Environment Bureau",
    "District Housing and Urban-Rural Development Bureau",
    "District Transport Bureau",
    "District Water Resources Bureau",
    "District Agriculture and Rural Affairs Bureau",
    "District Commerce Bureau",
    "District Culture and Tourism Bureau",
    "District Health Commission",
    "District Veterans Affairs Bureau",
    "District Emergency Management Bureau",
    "District Audit Bureau",
    "District Market Supervision Bureau",
    "District Statistics Bureau",
    "District Medical Security Bureau",
    "District Forestry Bureau",
    "District Urban Management Bureau",
    "District Administrative Approval Service Bureau",
    "District Big Data Center",
    "District Archives",
    "District Federation of Trade Unions",
    "District Communist Youth League Committee",
    "District Women's Federation",
    "District Disabled Persons' Federation",
    "District Red Cross Society",
    "District Fire and Rescue Brigade",
    "District People's Court",
    "District People's Procuratorate",
    "District Taxation Bureau",
    "District Meteorological Bureau",
    "District Rural Revitalization Office",
    "District Investment Promotion Center",
    "District Government Service Center",
    "District Housing Provident Fund Office",
    "District Radio and Television Station",
    "District Library",
    "District Museum",
    "District People's Hospital",
    "District Center for Disease Control",
    "Dongfeng Road Subdistrict Office",
    "Zhongshan Road Subdistrict Office",
    "Jinling Town Government",
    "Shilipu Subdistrict Office",
)

TOPICS: tuple[str, ...] = (
    "party building",
    "rural revitalization",
    "ecological protection",
    "education",
    "healthcare",
    "work safety",
    "flood control",
    "epidemic prevention",
    "poverty alleviation",
    "urban renewal",
    "transport",
    "tourism",
    "culture",
    "sports",
    "employment",
    "social security",
    "elderly care",
    "veterans affairs",
    "housing",
    "water supply",
    "air quality",
    "waste sorting",
    "food safety",
    "fire safety",
    "emergency management",
    "anti-corruption",
    "rule of law",
    "grassroots governance",
    "community services",
    "volunteering",
    "youth work",
    "women's work",
    "science popularization",
    "innovation",
    "investment promotion",
    "small businesses",
    "agriculture",
    "forestry",
    "animal husbandry",
    "e-commerce",
    "digital government",
    "statistics",
    "auditing",
    "taxation",
    "land use",
    "heritage protection",
    "public libraries",
    "civil affairs",
    "ethnic unity",
    "four excellent",
)
TAG_SUFFIXES: tuple[str, ...] = ("", " policy", " inspection", " funding")

# (Chinese topic, its English slug for file names).  Also used as Chinese tags.
TOPICS_ZH: tuple[tuple[str, str], ...] = (
    ("党建", "party-building"),
    ("乡村振兴", "rural-revitalization"),
    ("生态环境保护", "ecology"),
    ("教育", "education"),
    ("医疗卫生", "healthcare"),
    ("安全生产", "work-safety"),
    ("防汛", "flood-control"),
    ("就业", "employment"),
    ("养老服务", "elderly-care"),
    ("城市更新", "urban-renewal"),
    ("文化旅游", "culture-tourism"),
    ("基层治理", "grassroots-governance"),
    ("营商环境", "business-environment"),
    ("科技创新", "innovation"),
    ("法治建设", "rule-of-law"),
    ("民生实事", "livelihood-projects"),
)

SURNAMES: tuple[tuple[str, str], ...] = (
    ("Zhang", "张"),
    ("Wang", "王"),
    ("Li", "李"),
    ("Liu", "刘"),
    ("Chen", "陈"),
    ("Yang", "杨"),
    ("Zhao", "赵"),
    ("Huang", "黄"),
    ("Zhou", "周"),
    ("Wu", "吴"),
    ("Xu", "徐"),
    ("Sun", "孙"),
    ("Ma", "马"),
    ("Zhu", "朱"),
    ("Hu", "胡"),
    ("Guo", "郭"),
    ("He", "何"),
    ("Gao", "高"),
    ("Lin", "林"),
    ("Luo", "罗"),
)
GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("Wei", "伟"),
    ("Fang", "芳"),
    ("Na", "娜"),
    ("Min", "敏"),
    ("Jing", "静"),
    ("Qiang", "强"),
    ("Lei", "磊"),
    ("Jun", "军"),
    ("Yong", "勇"),
    ("Yan", "艳"),
    ("Jie", "杰"),
    ("Tao", "涛"),
    ("Ming", "明"),
    ("Chao", "超"),
    ("Xiuying", "秀英"),
    ("Xia", "霞"),
    ("Ping", "平"),
    ("Gang", "刚"),
    ("Guiying", "桂英"),
    ("Hui", "辉"),
)
N_PEOPLE = 150

ROLES: tuple[str, ...] = (
    "Secretary of the District Party Committee",
    "District Mayor",
    "Deputy Secretary of the District Committee",
    "Deputy District Mayor",
    "Member of the Standing Committee of the District Committee",
    "Director of the Organization Department",
    "Director of the Propaganda Department",
    "Director of the District Education and Sports Bureau",
    "Director of the District Health Commission",
    "Director of the District Emergency Management Bureau",
    "Head of the Inspection Team",
    "Chair of the District Federation of Trade Unions",
)
ROLES_ZH: tuple[str, ...] = (
    "区委书记",
    "区长",
    "区委副书记",
    "副区长",
    "区委常委、组织部部长",
    "区委宣传部部长",
    "区教育体育局局长",
    "区卫生健康委员会主任",
    "区应急管理局局长",
    "督查组组长",
)

# English title templates per event type ({p} is a district or a unit).
TITLE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "meeting": (
        "{p} holds meeting on {t}",
        "{p} convenes work promotion meeting to advance {t}",
    ),
    "conference": (
        "{p} conference sets {y} priorities for {t}",
        "{p} hosts conference on {t}",
    ),
    "inspection": (
        "{p} leaders inspect {t} work",
        "Inspection: {p} reviews {t} on site",
    ),
    "training": (
        "{p} runs training course on {t}",
        "{p} trains grassroots cadres in {t}",
    ),
    "notice": (
        "Notice: {p} updates rules on {t}",
        "{p} issues notice on {t}",
    ),
    "research": (
        "{p} officials study {t} in villages and communities",
        "Survey by {p} finds progress in {t}",
    ),
    "ceremony": (
        "{p} marks completion of {t} project",
        '{p} honours "{t}" volunteers',
    ),
    "campaign": (
        "{p} launches “{t}” campaign",
        "{p} starts 100-day campaign on {t}",
    ),
}

# Chinese title template per event type ({d} district, {t} topic) and its ASCII
# stand-in for the file name.
TITLE_TEMPLATES_ZH: dict[str, str] = {
    "meeting": "{d}召开{t}工作推进会",
    "conference": "{d}召开{t}工作大会",
    "inspection": "{d}开展{t}专项检查",
    "training": "{d}举办{t}业务培训班",
    "notice": "{d}印发{t}工作通知",
    "research": "{d}调研{t}工作情况",
    "ceremony": "{d}举行{t}项目启动仪式",
    "campaign": "{d}启动{t}百日攻坚行动",
}

SUMMARY_TEMPLATES: tuple[str, ...] = (
    "{p} reviewed progress in {t} and set out the main tasks for the months ahead.",
    "Officials of {d} discussed {t}, heard reports from {u} and agreed on next steps.",
    "The {e} focused on {t}; {u} will report on implementation by the end of {y}.",
    "{u} presented a plan for {t} in {d}, with clear targets and deadlines.",
)

HEADINGS: tuple[str, ...] = (
    "Background",
    "Main tasks",
    "Key measures",
    "Progress so far",
    "Responsibilities",
    "Funding and resources",
    "Public feedback",
    "Supervision and evaluation",
    "Timeline",
    "Next steps",
)
HEADINGS_ZH: tuple[str, ...] = (
    "一、基本情况",
    "二、主要做法",
    "三、工作成效",
    "四、存在问题",
    "五、下一步打算",
    "六、工作要求",
)

SUBJECTS: tuple[str, ...] = (
    "The district committee",
    "Local officials",
    "The working group",
    "Participants",
    "Community leaders",
    "The bureau",
    "Township cadres",
    "Volunteers",
    "The inspection team",
    "Residents",
    "Department heads",
    "The task force",
    "The leading group",
    "Party members",
)
VERBS: tuple[str, ...] = (
    "reviewed",
    "discussed",
    "emphasised",
    "outlined",
    "approved",
    "examined",
    "reported on",
    "called for",
    "set out",
    "agreed on",
    "highlighted",
    "assessed",
    "studied",
    "summarised",
)
OBJECTS: tuple[str, ...] = (
    "the annual work plan for {t}",
    "key tasks for the coming quarter",
    "progress in {t}",
    "the main problems found in {t}",
    "a list of responsibilities for {t}",
    "new measures to improve {t}",
    "the results of last year's work on {t}",
    "the budget for {t} projects",
    "feedback from residents about {t}",
    "the timetable for {t} reforms",
)
TAILS: tuple[str, ...] = (
    "in line with the district plan",
    "with clear responsibilities for each unit",
    "ahead of the deadline",
    "to improve public services",
    "and asked for regular progress reports",
    "while keeping costs under control",
    "so that every village and community benefits",
    "on the basis of field visits and interviews",
    "and promised to publish the results",
    "with support from higher-level departments",
    "after several rounds of consultation",
    "to strengthen the sense of responsibility",
)
LEADS: tuple[str, ...] = (
    "",
    "",
    "",
    "At the meeting, ",
    "In the first half of the year, ",
    "According to the report, ",
    "Meanwhile, ",
    "In addition, ",
    "Over the past year, ",
    "Going forward, ",
)
IMPERATIVES: tuple[str, ...] = (
    "Strengthen supervision of",
    "Improve the coordination of",
    "Complete the annual review of",
    "Expand public participation in",
    "Publish quarterly reports on",
    "Train frontline staff in",
    "Upgrade the facilities used for",
    "Monitor spending on",
    "Set up a hotline for",
    "Simplify procedures for",
)
STATUSES: tuple[str, ...] = ("completed", "in progress", "planned", "under review")

SENTENCES_ZH: tuple[str, ...] = (
    "会议传达学习了上级有关文件精神，对下一阶段重点工作进行了安排部署。",
    "与会人员围绕工作中存在的问题进行了深入交流，提出了具体改进意见。",
    "会议强调，各单位要进一步提高政治站位，切实把各项任务落到实处。",
    "今年以来，全区上下紧盯年度目标任务，各项工作取得了阶段性成效。",
    "检查组深入一线，通过查阅资料、实地查看、座谈交流等方式了解情况。",
    "各部门要加强协调配合，形成工作合力，确保各项措施按期完成。",
    "要坚持问题导向，建立问题清单、任务清单和责任清单，实行销号管理。",
    "会议指出，当前工作仍存在一些短板和不足，必须引起高度重视。",
    "要把群众满意作为检验工作成效的根本标准，持续改善民生福祉。",
    "培训采取专题讲座、案例分析和现场教学相结合的方式进行。",
    "参训学员纷纷表示，将把所学知识运用到实际工作中去。",
    "下一步，将进一步完善工作机制，加大督查考核力度。",
    "全年累计投入资金一千二百万元，完成重点项目十八个。",
    "各镇街要结合实际，制定具体实施方案，明确时间节点和责任人。",
    "要加强宣传引导，营造全社会共同参与的良好氛围。",
    "活动现场，工作人员向群众发放宣传资料，并耐心解答有关问题。",
    "调研组先后来到社区、企业和项目建设现场，详细了解工作进展。",
    "要严格落实安全生产责任制，坚决防范和遏制重大事故发生。",
    "会议听取了相关部门的工作汇报，研究解决了存在的困难和问题。",
    "要坚持统筹兼顾，既要抓好当前工作，又要谋划长远发展。",
    "通过本次活动，进一步增强了干部群众的责任意识和参与意识。",
    "区委、区政府高度重视此项工作，多次召开专题会议研究部署。",
    "要建立健全长效机制，推动工作常态化、制度化、规范化。",
    "截至目前，已完成年度计划的百分之八十五，超出时序进度。",
    "各责任单位要主动担当作为，确保各项工作有序推进。",
    "会议要求，要加强督促检查，对工作不力的单位进行通报。",
    "要充分发挥基层党组织战斗堡垒作用和党员先锋模范作用。",
    "要坚持以人民为中心的发展思想，着力解决群众急难愁盼问题。",
    "与会代表一致认为，此次会议主题鲜明、内容丰富、措施有力。",
    "要不断创新工作方法，提升服务水平，推动工作提质增效。",
    "现场观摩结束后，召开了总结交流会，各单位作了交流发言。",
    "要持续加强干部队伍建设，打造一支忠诚干净担当的高素质队伍。",
    "要严格执行各项规章制度，切实做到依法依规办事。",
    "本次培训共有一百二十余名学员参加，为期三天。",
    "要做好信息报送工作，及时总结推广好经验、好做法。",
    "要加大资金投入，优化资源配置，为工作开展提供有力保障。",
    "检查中发现的问题，已当场反馈给相关单位，并督促限期整改。",
    "要进一步畅通群众诉求渠道，及时回应社会关切。",
    "会上，相关单位负责人签订了目标责任书。",
    "要以此次会议为契机，进一步统一思想、凝聚共识、狠抓落实。",
)
BULLETS_ZH: tuple[str, ...] = (
    "加强组织领导，压实工作责任",
    "完善工作机制，强化协调配合",
    "加大宣传力度，营造良好氛围",
    "强化督促检查，确保工作落实",
    "优化服务流程，提升办事效率",
    "加强队伍建设，提高业务能力",
    "健全长效机制，巩固工作成果",
    "加大资金投入，强化要素保障",
    "坚持问题导向，抓好整改落实",
    "突出工作重点，推动项目建设",
)
UNITS_ZH: tuple[str, ...] = (
    "区委组织部",
    "区委宣传部",
    "区教育体育局",
    "区财政局",
    "区卫生健康局",
    "区住房和城乡建设局",
    "区应急管理局",
    "区农业农村局",
)
STATUSES_ZH: tuple[str, ...] = ("已完成", "推进中", "未开始", "持续推进")

ZH_SHARE = 0.10
EN_WORDS = (570, 710)  # body length in words (English)
ZH_CHARS = (1050, 1350)  # body length in characters (Chinese)

# ----------------------------------------------------------------- YAML writing

_NEEDS_QUOTES = re.compile(r"""^[\s\-?:,\[\]{}#&*!|>'"%@`0-9.+~]|[:#,\[\]{}"\\]|\s$""")
_YAML_WORDS = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])


def yaml_str(s: str) -> str:
    """Return ``s`` as a YAML scalar that loads back as the same string.

    Plain when that is unambiguous (also inside a flow list), else double-quoted
    (a JSON string is a valid YAML double-quoted scalar).
    """
    if not s or _NEEDS_QUOTES.search(s) or s.lower() in _YAML_WORDS:
        return json.dumps(s, ensure_ascii=False)
    return s


_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


def slugify_ascii(text: str) -> str:
    """python-slugify's result for ASCII text: lowercase words joined by hyphens."""
    return _SLUG_STRIP.sub("-", text.lower()).strip("-")


# ------------------------------------------------------------------ generator


class Pools:
    """Everything that is computed once per run and reused for every article."""

    def __init__(self, rng: random.Random) -> None:
        self.tags = tuple(t + s for t in TOPICS for s in TAG_SUFFIXES)
        self.tags_zh = tuple(t for t, _ in TOPICS_ZH)
        people = [(sn + " " + gn, sz + gz) for sn, sz in SURNAMES for gn, gz in GIVEN_NAMES]
        self.people = tuple(rng.sample(people, N_PEOPLE))
        # English prose: a fixed pool of sentences (text, word count).
        sentences: list[tuple[str, int]] = []
        for _ in range(4000):
            lead = rng.choice(LEADS)
            subj = rng.choice(SUBJECTS)
            if lead:
                subj = subj[0].lower() + subj[1:]
            obj = rng.choice(OBJECTS).format(t=rng.choice(TOPICS))
            if rng.random() < 0.2:
                n_projects = rng.randint(3, 60)
                amount = rng.randint(5, 900) / 10
                text = (
                    f"{lead}{subj} {rng.choice(VERBS)} {obj}; a total of "
                    f"{n_projects} projects received {amount} million yuan."
                )
            else:
                text = f"{lead}{subj} {rng.choice(VERBS)} {obj} {rng.choice(TAILS)}."
            sentences.append((text[0].upper() + text[1:], text.count(" ") + 1))
        self.sentences = tuple(sentences)
        self.bullets = tuple(f"{v} {t}" for v in IMPERATIVES for t in TOPICS)
        self.sentences_zh = SENTENCES_ZH
        self.yaml_cache: dict[str, str] = {}

    def y(self, s: str) -> str:
        """Cached :func:`yaml_str` for strings that come from the pools."""
        q = self.yaml_cache.get(s)
        if q is None:
            q = self.yaml_cache[s] = yaml_str(s)
        return q


def format_date(rng: random.Random, day: dt.date) -> str:
    """A plain date, or a datetime with an offset that keeps the same UTC day.

    Times are 08:00-19:59 and offsets lie in -04:00..+08:00, so the local day
    written here is also the UTC day (the site's default timezone): uniqueness
    of titles per written day is uniqueness per URL day.
    """
    r = rng.random()
    if r < 0.5:
        return day.isoformat()
    hour = rng.randint(8, 19)
    minute = rng.randint(0, 59)
    second = rng.randint(0, 59)
    if r < 0.8:
        # Real-world form: "2017-03-08 14:05:17 -0400", sometimes "2:05:17".
        offset = rng.choice(("+0800", "+0800", "+0000", "-0400", "+0100", "+0530"))
        h = str(hour) if hour < 10 and rng.random() < 0.5 else f"{hour:02d}"
        return f"{day.isoformat()} {h}:{minute:02d}:{second:02d} {offset}"
    offset = rng.choice(("+08:00", "+08:00", "Z", "-04:00", "+02:00"))
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}{offset}"


def speaker_yaml(rng: random.Random, pools: Pools, zh: bool) -> list[str]:
    """Front-matter lines for ``speaker`` (none, a string, a list or mappings)."""
    n = rng.choices((0, 1, 2, 3), weights=(20, 45, 25, 10))[0]
    if n == 0:
        return []
    names = [p[1] if zh else p[0] for p in rng.sample(pools.people, n)]
    form = rng.random()
    if n == 1 and form < 0.5:
        return [f"speaker: {pools.y(names[0])}"]
    if form < 0.75:
        return ["speaker:", *(f"  - {pools.y(name)}" for name in names)]
    roles = ROLES_ZH if zh else ROLES
    lines = ["speaker:"]
    for name in names:
        lines.append(f"  - name: {pools.y(name)}")
        lines.append(f"    role: {pools.y(rng.choice(roles))}")
    return lines


def split_sections(paragraphs: list[str], k: int) -> list[list[str]]:
    """Split paragraphs[1:] into ``k`` non-empty consecutive runs."""
    rest = paragraphs[1:]
    return [rest[i * len(rest) // k : (i + 1) * len(rest) // k] for i in range(k)]


def body_en(rng: random.Random, pools: Pools, day: dt.date, units: Sequence[str]) -> str:
    target = rng.randint(*EN_WORDS) - 70  # the list and the table add about 70 words
    paragraphs: list[str] = []
    words = 0
    sentences = pools.sentences
    while words < target:
        picked = rng.choices(sentences, k=rng.randint(3, 6))
        paragraphs.append(" ".join(s for s, _ in picked))
        words += sum(n for _, n in picked)
    k = rng.randint(3, 5)
    while len(paragraphs) < k + 1:
        paragraphs.append(rng.choice(sentences)[0])
    headings = [HEADINGS[i] for i in sorted(rng.sample(range(len(HEADINGS)), k))]
    list_at, table_at = rng.sample(range(k), 2)
    out = [paragraphs[0], ""]
    for i, section in enumerate(split_sections(paragraphs, k)):
        out += [f"## {headings[i]}", ""]
        for paragraph in section:
            out += [paragraph, ""]
        if i == list_at:
            out += [f"- {b}" for b in rng.sample(pools.bullets, rng.randint(3, 6))]
            out.append("")
        if i == table_at:
            out += ["| Item | Responsible unit | Deadline | Status |", "| --- | --- | --- | --- |"]
            for _ in range(rng.randint(3, 5)):
                deadline = day + dt.timedelta(days=rng.randint(10, 300))
                out.append(
                    f"| {rng.choice(pools.bullets)} | {rng.choice(units)} "
                    f"| {deadline.isoformat()} | {rng.choice(STATUSES)} |"
                )
            out.append("")
    return "\n".join(out)


def body_zh(rng: random.Random, pools: Pools, day: dt.date) -> str:
    target = rng.randint(*ZH_CHARS) - 120
    paragraphs: list[str] = []
    chars = 0
    while chars < target:
        paragraph = "".join(rng.choices(pools.sentences_zh, k=rng.randint(3, 6)))
        paragraphs.append(paragraph)
        chars += len(paragraph)
    k = rng.randint(3, 5)
    while len(paragraphs) < k + 1:
        paragraphs.append(rng.choice(pools.sentences_zh))
    headings = [HEADINGS_ZH[i] for i in sorted(rng.sample(range(len(HEADINGS_ZH)), k))]
    list_at, table_at = rng.sample(range(k), 2)
    out = [paragraphs[0], ""]
    for i, section in enumerate(split_sections(paragraphs, k)):
        out += [f"## {headings[i]}", ""]
        for paragraph in section:
            out += [paragraph, ""]
        if i == list_at:
            out += [f"- {b}" for b in rng.sample(BULLETS_ZH, rng.randint(3, 6))]
            out.append("")
        if i == table_at:
            out += ["| 项目 | 责任单位 | 完成时限 | 进展情况 |", "| --- | --- | --- | --- |"]
            for _ in range(rng.randint(3, 5)):
                deadline = day + dt.timedelta(days=rng.randint(10, 300))
                out.append(
                    f"| {rng.choice(TOPICS_ZH)[0]}工作 | {rng.choice(UNITS_ZH)} "
                    f"| {deadline.year}年{deadline.month}月 | {rng.choice(STATUSES_ZH)} |"
                )
            out.append("")
    return "\n".join(out)


def unique(base_title: str, base_key: str, used: set[str]) -> tuple[str, str]:
    """Make (title, key) unique in ``used`` by appending " 2", " 3", ... to the title."""
    title, key, n = base_title, base_key, 1
    while key in used:
        n += 1
        title, key = f"{base_title} {n}", f"{base_key}-{n}"
    used.add(key)
    return title, key


def config_text(n: int, seed: int) -> str:
    return (
        f"# Synthetic benchmark archive made by benchmarks/generate.py (N={n}, seed={seed}).\n"
        f"title: {yaml_str(f'newsgen benchmark archive ({n} articles)')}\n"
        "base_url: https://bench.example.org/\n"
        "language: en\n"
        "required: [district, event_type]\n"
        "page_size: 20\n"
    )


def marker_text(n: int, seed: int, per_year: int | None = None) -> str:
    """The marker file's exact content for a complete corpus of ``n`` articles."""
    info: dict[str, object] = {"generator": GENERATOR_VERSION, "n": n, "seed": seed}
    if per_year:
        info["per_year"] = per_year
    return json.dumps(info, sort_keys=True) + "\n"


class GenerateError(Exception):
    """OUT_DIR cannot be used (not a folder, or not ours and no --force)."""


def date_span(n: int, per_year: int | None) -> tuple[dt.date, int]:
    """First day and number of days the articles are spread over: 2005-2024, or as many
    whole years before 2025 as `per_year` articles a year need."""
    if not per_year:
        return START_DATE, TOTAL_DAYS
    start = dt.date(END_DATE.year - max(1, -(-n // per_year)), 1, 1)
    return start, (END_DATE - start).days


def generate(
    n: int, out_dir: Path, seed: int = 1, force: bool = False, per_year: int | None = None
) -> None:
    """Write a corpus of ``n`` articles into ``out_dir`` (see the module docstring)."""
    marker = out_dir / MARKER_NAME
    if out_dir.exists():
        if not out_dir.is_dir():
            raise GenerateError(f"{out_dir} exists and is not a folder")
        if any(out_dir.iterdir()) and not marker.exists() and not force:
            raise GenerateError(
                f"{out_dir} is not empty and holds no {MARKER_NAME}; "
                "pass --force to replace its content/ folder"
            )
    marker.unlink(missing_ok=True)
    content = out_dir / "content"
    if content.exists():
        shutil.rmtree(content)
    content.mkdir(parents=True)

    rng = random.Random(seed)
    pools = Pools(rng)
    y = pools.y
    districts = DISTRICTS
    tags_en, tags_zh = pools.tags, pools.tags_zh
    month_key = ""
    used: set[str] = set()  # title keys (slugs) and file names already used this month

    first_day, days = date_span(n, per_year)
    for i in range(n):
        day = first_day + dt.timedelta(days=int((i + rng.random()) * days / n))
        mk = f"{day.year:04d}/{day.month:02d}"
        if mk != month_key:
            month_key = mk
            used = set()
            (content / mk).mkdir(parents=True, exist_ok=True)
        date = format_date(rng, day)
        district, district_zh = rng.choice(districts)
        event = rng.choice(EVENT_TYPES)
        units = rng.sample(UNITS, rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0])
        zh = rng.random() < ZH_SHARE

        if zh:
            topic_zh, topic_slug = rng.choice(TOPICS_ZH)
            base = TITLE_TEMPLATES_ZH[event].format(d=district_zh, t=topic_zh)
            # The file name stands in for the (non-ASCII) title, one-to-one.
            stem = f"zh-{slugify_ascii(district)}-{event}-{topic_slug}"
            title, slug = unique(base, stem, used)
            tags = sorted(rng.sample(tags_zh, rng.randint(1, 3)))
            if rng.random() < 0.5:
                tags.append(rng.choice(tags_en))
            summary = title + "。" + rng.choice(pools.sentences_zh)
            body = body_zh(rng, pools, day)
        else:
            topic = rng.choice(tags_en)
            use_unit = rng.random() < 0.4
            place = rng.choice(units) if use_unit else district
            template = rng.choice(TITLE_TEMPLATES[event])
            base = template.format(p=place, t=topic, y=day.year)
            base = base[0].upper() + base[1:]
            title, slug = unique(base, slugify_ascii(base), used)
            tags = sorted(rng.sample(tags_en, rng.randint(1, 5)))
            summary = rng.choice(SUMMARY_TEMPLATES).format(
                p=place, t=topic, d=district, u=units[0], e=event, y=day.year
            )
            body = body_en(rng, pools, day, units)

        lines = [
            "---",
            f"title: {yaml_str(title)}",
            f"date: {date}",
            f"district: {y(district)}",
            f"event_type: {event}",
            *speaker_yaml(rng, pools, zh),
            "units:",
            *(f"  - {y(u)}" for u in units),
            f"tags: [{', '.join(y(t) for t in tags)}]",
            f"summary: {yaml_str(summary)}",
        ]
        if zh:
            lines.append("lang: zh")
        lines += ["---", "", body, ""]
        with open(content / mk / f"{slug}.md", "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(lines))

    with open(out_dir / "newsgen.yaml", "w", encoding="utf-8", newline="") as f:
        f.write(config_text(n, seed))
    with open(marker, "w", encoding="utf-8", newline="") as f:
        f.write(marker_text(n, seed, per_year))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate a deterministic synthetic news archive for benchmarks."
    )
    parser.add_argument("n", metavar="N", type=int, help="number of articles")
    parser.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="site folder to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace OUT_DIR/content even if OUT_DIR was not made by this script",
    )
    parser.add_argument(
        "--per-year",
        type=int,
        metavar="K",
        help="about K articles a year (the last N/K years before 2025); default: 2005-2024",
    )
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be >= 0")
    t0 = time.perf_counter()
    try:
        generate(args.n, args.out_dir, seed=args.seed, force=args.force, per_year=args.per_year)
    except GenerateError as exc:
        print(f"generate.py: error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - t0
    print(
        f"generate.py: wrote {args.n} articles to {os.fspath(args.out_dir)} in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
