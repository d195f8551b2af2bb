"""Build ``eval/entities.jsonl``: synthetic, hand-templated enforcement descriptions with gold entity spans.

Provenance: every text here was written by the team (hand-written items and hand-written templates filled from
hand-written pools). Identifier numbers are synthetic: the check characters are *computed* (R7.2, R7.3) over
random bodies, and the invalid ones are made by corrupting a valid one on purpose. No real person's or company's
number was used. Gold spans come from the inline markup ``⟦surface|LABEL:sub=value⟧`` written by hand in the
templates, never from the extractor's output.

Run: ``python scripts/make_entities_eval.py [-o eval/entities.jsonl]`` (deterministic, seed fixed).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from nlp.identifiers import USCC_ALPHABET, id_check_char, uscc_check_char

ROOT = Path(__file__).resolve().parents[1]
MARK = re.compile(r"⟦([^|⟧]+)\|([A-Z_]+)(?::([^=⟧]+))?(?:=([^⟧]*))?⟧")

# ----------------------------------------------------------------------------------------------- pools
SURNAMES = list("张王李赵陈刘杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃戴莫孔向汤")
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "海燕", "红梅", "国庆", "小龙", "德明", "玉兰", "春生",
         "家豪", "子涵", "雨欣", "文博", "思远", "立新", "永福", "金凤", "建国", "美玲", "成林", "小波", "宏伟", "丹"]
DISTRICTS = ["渝中区", "江北区", "南岸区", "沙坪坝区", "九龙坡区", "渝北区", "巴南区", "北碚区", "大渡口区", "江津区",
             "合川区", "永川区", "璧山区", "万州区", "涪陵区", "长寿区"]
DIV_CODES = {"渝中区": "500103", "大渡口区": "500104", "江北区": "500105", "沙坪坝区": "500106", "九龙坡区": "500107",
             "南岸区": "500108", "北碚区": "500109", "渝北区": "500112", "巴南区": "500113", "万州区": "500101",
             "涪陵区": "500102", "长寿区": "500115", "江津区": "500116", "合川区": "500117", "永川区": "500118",
             "璧山区": "500120"}
STREETS = {
    "渝中区": ["民族路", "邹容路", "八一路", "较场口", "中山三路", "大坪正街", "解放西路", "新华路"],
    "江北区": ["建新北路", "观音桥步行街", "北城天街", "五里店路", "洋河路", "华新街"],
    "南岸区": ["南坪西路", "万寿路", "弹子石正街", "南滨路", "学府大道", "丹龙路"],
    "沙坪坝区": ["三峡广场", "小龙坎正街", "天星桥正街", "汉渝路", "大学城南路"],
    "九龙坡区": ["杨家坪正街", "石桥铺渝州路", "谢家湾正街", "西郊路", "九龙园区华龙大道"],
    "渝北区": ["金开大道", "龙溪街道金紫山路", "双龙大道", "新南路", "红锦大道"],
    "巴南区": ["鱼洞街道新市街", "龙洲大道", "李家沱正街", "界石镇石桥村"],
    "北碚区": ["北碚中山路", "天生路", "嘉陵风情步行街", "歇马街道卢作孚路"],
    "大渡口区": ["松青路", "春晖路", "钢花路", "八桥镇新山村"],
    "江津区": ["几江街道鼎山大道", "滨江路", "双福街道福城大道"],
    "合川区": ["南津街", "钓鱼城大道", "花园路"],
    "永川区": ["人民大道", "汇龙大道", "萱花路"],
    "璧山区": ["璧泉街道东林大道", "璧城街道翡翠路"],
    "万州区": ["高笋塘", "太白路", "江南大道"],
    "涪陵区": ["兴华中路", "太极大道", "滨江大道"],
    "长寿区": ["桃花大道", "凤城街道向阳路", "晏家街道齐心大道"],
}
BRANDS = ["味香园", "鑫源", "恒通", "华腾", "天天鲜", "嘉禾", "巴渝人家", "顺达", "宏盛", "金穗", "绿源", "蓝天",
          "聚福", "新启航", "瑞丰", "锦程", "川渝", "佳美", "安泰", "万家乐", "渝发", "康宁", "诚信达", "润泽",
          "博远", "正阳", "山城", "同创", "美时美刻", "德庄", "盛世华庭", "三江"]
INDUSTRIES = {
    "food": ["餐饮管理", "食品", "餐饮文化", "农产品", "火锅", "超市"],
    "general": ["商贸", "贸易", "科技", "物流", "实业"],
    "build": ["建材", "建筑工程", "房地产开发", "建筑劳务", "装饰工程", "混凝土"],
    "env": ["化工", "机械制造", "环保科技", "汽车配件", "印染", "塑料制品"],
    "fire": ["酒店管理", "物业管理", "娱乐", "商业管理", "宾馆"],
}
FORMS = ["有限公司", "有限责任公司", "股份有限公司"]
SHOP_KINDS = {
    "food": ["小面馆", "火锅店", "烧烤店", "餐馆", "豆花饭店", "卤菜店", "副食店", "便利店", "水果店", "凉面馆"],
    "general": ["副食店", "五金店", "日杂店", "便利店", "服装店", "手机维修店", "烟酒店", "药房"],
    "fire": ["宾馆", "网吧", "茶楼", "棋牌室", "KTV", "旅馆"],
    "build": ["建材经营部", "装饰材料店", "五金建材店"],
}
GOODS_EXPIRED = ["速冻水饺", "鲜牛奶", "面包", "火腿肠", "袋装辣条", "酸奶", "饼干", "卤猪耳", "豆腐干", "方便面"]
POLICE_STATIONS = ["解放碑派出所", "观音桥派出所", "南坪派出所", "三峡广场派出所", "杨家坪派出所", "两路派出所",
                   "鱼洞派出所", "朝天门派出所"]

# ------------------------------------------------------------------------------------------ generators


@dataclass
class Gen:
    """Random fillers; each call returns plain text or inline-marked text."""

    rng: random.Random
    style: str = "cn"
    cursor: date = date(2024, 1, 1)
    last_style: str = "cn"

    def new_record(self) -> None:
        """One description keeps one date style (mostly) and runs forward in time, as real ones do."""
        self.style = self.pick(["cn", "cn", "cn", "cn0", "cnnum", "cnnum0", "dash", "dot", "slash"])
        self.cursor = date(2023, 1, 1) + timedelta(days=self.rng.randint(0, 900))

    def pick(self, seq):  # noqa: ANN001, ANN201
        return self.rng.choice(seq)

    # --- people and units
    def person(self, anonymised: float = 0.4) -> str:
        s = self.pick(SURNAMES)
        r = self.rng.random()
        if r < anonymised * 0.5:
            return s + "某"
        if r < anonymised:
            return s + "某某"
        return s + self.pick(GIVEN)

    def district(self) -> str:
        return self.pick(DISTRICTS)

    def company(self, domain: str = "general", district: str | None = None) -> str:
        d = district or self.district()
        prefix = self.pick(["重庆", "重庆市", f"重庆市{d}", "重庆", f"重庆{self.pick(['两江新区', '高新区', '经开区'])}"])
        brand = self.pick(BRANDS + ["某某"])
        return prefix + brand + self.pick(INDUSTRIES[domain]) + self.pick(FORMS)

    def branch(self, domain: str = "general") -> str:
        return "重庆" + self.pick(BRANDS) + self.pick(INDUSTRIES[domain]) + "有限公司" + self.pick(DISTRICTS)[:-1] + "分公司"

    def shop(self, domain: str = "food", district: str | None = None) -> str:
        d = district or self.district()
        owner = self.pick(SURNAMES)
        style = self.rng.random()
        head = self.pick([f"{d}", f"重庆市{d}"])
        if style < 0.4:
            body = f"{owner}记"
        elif style < 0.7:
            body = self.pick(BRANDS)
        else:
            body = self.pick(["好又多", "老地方", "幺妹", "邻里", "街坊", "红红", "鑫鑫", "佳佳", "阿兰"])
        return head + body + self.pick(SHOP_KINDS[domain])

    def address(self, district: str | None = None) -> str:
        d = district or self.district()
        street = self.pick(STREETS[d])
        if street.endswith("村"):
            return f"重庆市{d}{street}{self.rng.randint(1, 12)}社"
        num = self.rng.randint(1, 399)
        tail = self.pick(["号", "号", f"号附{self.rng.randint(1, 20)}号", f"号{self.rng.randint(1, 30)}-{self.rng.randint(1, 8)}",
                          f"号{self.rng.randint(1, 5)}楼", f"号{self.pick(['A', 'B', 'C'])}栋{self.rng.randint(1, 30)}层"])
        pre = self.pick([f"重庆市{d}", f"重庆市{d}", f"{d}"])
        return f"{pre}{street}{num}{tail}"

    def place(self, district: str | None = None) -> str:
        d = district or self.district()
        street = self.pick(STREETS[d])
        kind = self.rng.random()
        if kind < 0.35:
            return f"{d}{street}{self.rng.randint(1, 300)}号门前"
        if kind < 0.6:
            other = self.pick(STREETS[d])
            return f"{d}{street}与{other}交叉路口" if other != street else f"{d}{street}路口"
        if kind < 0.8:
            return f"{d}{street}{self.rng.randint(1, 300)}号"
        return f"{d}{street}{self.pick(['路段', '附近', '人行道'])}"

    # --- identifiers
    def uscc(self, district: str | None = None, org_type: str = "91", bad: str | None = None) -> str:
        div = DIV_CODES.get(district or "", self.pick(list(DIV_CODES.values())))
        alpha = USCC_ALPHABET
        body = "MA" + "".join(self.rng.choice(alpha[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(7))
        first17 = org_type + div + body[:9]
        code = first17 + uscc_check_char(first17)
        value = "ok"
        if bad == "check":
            wrong = self.pick([c for c in alpha if c != code[-1]])
            code, value = code[:-1] + wrong, "bad_check_char"
        elif bad == "char":
            i = self.rng.randint(10, 15)
            code, value = code[:i] + self.pick("IOSVZ") + code[i + 1:], "bad_char"
        elif bad == "length":
            code, value = code[:-1], "bad_length"
        if self.rng.random() < 0.1 and value == "ok":
            code = code[:-1] + code[-1].lower() if code[-1].isalpha() else code
        return f"⟦{code}|USCC={value}⟧"

    def id_number(self, district: str | None = None, sex: str | None = None, bad: str | None = None,
                  birth: date | None = None) -> tuple[str, date, str]:
        div = DIV_CODES.get(district or "", self.pick(list(DIV_CODES.values())))
        birth = birth or date(1960, 1, 1) + timedelta(days=self.rng.randint(0, 365 * 44))
        seq = self.rng.randint(0, 999)
        sex = sex or self.pick("男女")
        if (seq % 2 == 1) != (sex == "男"):
            seq = (seq + 1) % 1000
        first17 = f"{div}{birth:%Y%m%d}{seq:03d}"
        code = first17 + id_check_char(first17)
        value = "ok"
        if bad == "check":
            wrong = self.pick([c for c in "0123456789X" if c != code[-1]])
            code, value = code[:-1] + wrong, "bad_check_char"
        elif bad == "digit":  # a typo in the sequence number, check char left as computed
            i = self.rng.randint(14, 16)
            code, value = code[:i] + str((int(code[i]) + self.rng.randint(1, 9)) % 10) + code[i + 1:], "bad_check_char"
        elif bad == "date":
            first17 = f"{div}{birth.year}0231{seq:03d}"
            code, value = first17 + id_check_char(first17), "bad_birth_date"
        elif bad == "length":
            code, value = code[:-1], "bad_length"
        if code.endswith("X") and self.rng.random() < 0.3:
            code = code[:-1] + "x"
        return f"⟦{code}|ID_CARD={value}⟧", birth, sex

    def plate(self, kind: str | None = None) -> str:
        prov = self.pick("渝渝渝渝渝川贵鄂湘陕")
        letter = self.pick("ABCDFGH")
        chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
        digits = "0123456789"
        kind = kind or self.pick(["ordinary"] * 5 + ["nev", "nev", "coach", "trailer"])
        if kind == "nev":
            serial = self.pick("DF") + self.pick(chars) + "".join(self.pick(digits) for _ in range(4))
        elif kind in ("coach", "trailer"):
            serial = "".join(self.pick(digits) for _ in range(4)) + ("学" if kind == "coach" else "挂")
        else:
            serial = "".join(self.pick(chars if i < 2 else digits) for i in range(5))
        sep = self.pick(["", "", "·", "·", " "]) if kind == "ordinary" or kind == "nev" else self.pick(["", "·"])
        text = f"{prov}{letter}{sep}{serial}"
        return f"⟦{text}|PLATE={prov}{letter}{serial}⟧"

    def phone(self) -> str:
        if self.rng.random() < 0.8:
            num = self.pick(["138", "139", "135", "136", "150", "151", "158", "177", "180", "186", "189", "199"]) + \
                "".join(str(self.rng.randint(0, 9)) for _ in range(8))
            shown = num if self.rng.random() < 0.8 else f"{num[:3]}-{num[3:7]}-{num[7:]}"
            return f"⟦{shown}|PHONE={num}⟧"
        local = str(self.rng.randint(6, 8)) + "".join(str(self.rng.randint(0, 9)) for _ in range(7))
        return f"⟦023-{local}|PHONE=023{local}⟧"

    # --- dates, times, money
    def day(self) -> date:
        self.cursor += timedelta(days=self.rng.randint(0, 25))
        return self.cursor

    def date_text(self, d: date, style: str | None = None) -> str:
        if style is None:
            style = self.style if self.rng.random() < 0.85 else self.pick(["cn", "cn0", "cnnum", "dash", "dot", "slash"])
        self.last_style = style
        if style == "cn":
            s = f"{d.year}年{d.month}月{d.day}日"
        elif style == "cn0":
            s = f"{d.year}年{d.month:02d}月{d.day:02d}日"
        elif style in ("cnnum", "cnnum0"):
            zero = "〇" if style == "cnnum" else "零"
            digits = "〇一二三四五六七八九".replace("〇", zero)
            y = "".join(digits[int(c)] for c in str(d.year))
            s = f"{y}年{_cn_small(d.month)}月{_cn_small(d.day)}日"
        elif style == "dash":
            s = f"{d:%Y-%m-%d}"
        elif style == "dot":
            s = f"{d.year}.{d.month}.{d.day}"
        else:
            s = f"{d.year}/{d.month}/{d.day}"
        return f"⟦{s}|DATE={d.isoformat()}⟧"

    def date(self, d: date | None = None, style: str | None = None) -> str:
        return self.date_text(d or self.day(), style)

    def dt(self, d: date | None = None, tstyle: str | None = None) -> str:
        """Date then time of day; numeric dates (2025-03-05) take a space before the time."""
        ds = self.date(d)
        sep = " " if self.last_style in ("dash", "dot", "slash") else ""
        return ds + sep + self.time(tstyle)

    def time(self, style: str | None = None) -> str:
        h, m = self.rng.randint(7, 22), self.pick([0, 5, 10, 15, 20, 25, 30, 40, 45, 50])
        style = style or self.pick(["hm", "hm", "colon", "pm_approx", "h_approx", "hm_approx", "am_pm"])
        if style == "hm":
            s, iso, approx = f"{h}时{m}分" if m else f"{h}时", f"{h:02d}:{m:02d}", False
        elif style == "colon":
            s, iso, approx = f"{h}:{m:02d}", f"{h:02d}:{m:02d}", False
        elif style == "pm_approx":
            hh = self.rng.randint(1, 6)
            s, iso, approx = f"下午{hh}时许", f"{hh + 12:02d}:00", True
        elif style == "h_approx":
            s, iso, approx = f"{h}时许", f"{h:02d}:00", True
        elif style == "hm_approx":
            s, iso, approx = f"{h}时{m or 10}分许", f"{h:02d}:{m or 10:02d}", True
        else:
            if h < 12:
                s, iso = f"上午{h}时{m}分" if m else f"上午{h}时", f"{h:02d}:{m:02d}"
            else:
                hh = h - 12 if h > 12 else 12
                word = "晚上" if h >= 19 else ("中午" if h == 12 else "下午")
                s, iso = (f"{word}{hh}时{m}分" if m else f"{word}{hh}时"), f"{h:02d}:{m:02d}"
            approx = False
        return f"⟦{s}|TIME={iso}{'~' if approx else ''}⟧"

    def money(self, yuan: int | None = None, style: str | None = None, lo: int = 200, hi: int = 50000) -> str:
        if yuan is None:
            yuan = self.pick([lo, hi, (lo + hi) // 2, self.rng.randint(lo, hi) // 100 * 100, self.rng.randint(lo, hi)])
            yuan = max(yuan, 1)
        style = style or self.pick(["plain", "plain", "comma", "rmb", "rmb", "yen", "cn", "daxie", "wan", "qian"])
        if style == "cn" and not _round(yuan):
            style = "plain"
        if style in ("wan",) and yuan % 100:
            style = "rmb"
        if style == "qian" and yuan % 1000:
            style = "comma"
        if style == "daxie" and not _round(yuan):
            style = "yen"
        if style == "plain":
            s = f"{yuan}元"
        elif style == "comma":
            s = f"{yuan:,}元"
        elif style == "rmb":
            s = f"人民币{yuan}元"
        elif style == "yen":
            s = f"¥{yuan}"
        elif style == "cn":
            s = _cn_amount(yuan, upper=False) + "元"
        elif style == "daxie":
            s = "人民币" + _cn_amount(yuan, upper=True) + "元整"
        elif style == "wan":
            s = f"{yuan / 10000:g}万元"
        else:
            s = f"{yuan // 1000}千元"
        return f"⟦{s}|MONEY={yuan * 100}⟧"

    def cents(self) -> str:
        yuan = self.rng.randint(20, 3000)
        jiao = self.rng.randint(1, 9)
        return f"⟦{yuan}.{jiao}0元|MONEY={yuan * 100 + jiao * 10}⟧"


def _round(n: int) -> bool:
    s = str(n)
    return len(s.rstrip("0")) <= 2


def _cn_small(n: int) -> str:
    d = "零一二三四五六七八九"
    if n < 10:
        return d[n]
    if n < 20:
        return "十" + (d[n - 10] if n > 10 else "")
    return d[n // 10] + "十" + (d[n % 10] if n % 10 else "")


def _cn_amount(n: int, upper: bool) -> str:
    """Chinese amount for round numbers only (≤ two significant digits), enough for the fillers."""
    digits = "零壹贰叁肆伍陆柒捌玖" if upper else "零一二三四五六七八九"
    units = ["", "拾", "佰", "仟", "万"] if upper else ["", "十", "百", "千", "万"]
    out, s = "", str(n)
    for i, c in enumerate(s):
        pos = len(s) - 1 - i
        if c == "0":
            if out and not out.endswith(digits[0]) and s[i:].strip("0"):
                out += digits[0]
            continue
        if pos >= 5:  # 十万 and above
            return f"{n / 10000:g}" + ("万" if not upper else "万")
        out += digits[int(c)] + units[pos]
    if not upper and out.startswith("一十"):
        out = out[1:]
    return out


# ------------------------------------------------------------------------------------------ templates
Template = Callable[[Gen], str]
TEMPLATES: list[tuple[str, str, Template]] = []


def template(tid: str, domain: str) -> Callable[[Template], Template]:
    def deco(fn: Template) -> Template:
        TEMPLATES.append((tid, domain, fn))
        return fn
    return deco


def agency(g: Gen, kind: str, d: str) -> str:
    short = d
    names = {
        "scjg": [f"重庆市{short}市场监督管理局", f"{short}市场监督管理局"],
        "cg": [f"重庆市{short}城市管理局", f"{short}城市管理局", f"重庆市{short}城市管理综合行政执法支队"],
        "jj": [f"重庆市公安局交通管理局{short[:-1]}区支队" if short.endswith("区") else f"重庆市公安局交通管理局{short}支队",
               f"重庆市公安局{short}分局交通巡逻警察支队"],
        "hb": [f"重庆市{short}生态环境局", "重庆市生态环境局"],
        "xf": [f"重庆市{short}消防救援支队", f"{short}消防救援支队"],
        "yj": [f"重庆市{short}应急管理局", f"{short}应急管理局"],
        "sw": [f"国家税务总局重庆市{short}税务局", f"国家税务总局重庆市{short}税务局稽查局"],
        "ga": [f"重庆市公安局{short}分局", f"重庆市公安局{short}分局{g.pick(POLICE_STATIONS)}"],
        "gh": [f"重庆市{short}住房和城乡建设委员会", f"重庆市规划和自然资源局{short}分局", f"重庆市{short}规划和自然资源局"],
    }[kind]
    return f"⟦{g.pick(names)}|AGENCY⟧"


def party_person(g: Gen, d: str, *, bad: str | None = None, with_phone: bool = True, role_word: str = "当事人") -> str:
    """``当事人张三，男，1985年3月12日出生，身份证号码：…，住…，联系电话：…``, with several layouts."""
    name = g.person()
    idm, birth, sex = g.id_number(d, bad=bad)
    layout = g.rng.randint(0, 3)
    id_cue = g.pick(["身份证号码：", "身份证号：", "公民身份号码", "居民身份证号码", "身份证号码为"])
    addr_cue, addr_kind = g.pick([("住", "domicile"), ("住址：", "domicile"), ("户籍所在地：", "domicile"),
                                   ("现住址：", "domicile"), ("家住", "domicile")])
    addr = f"⟦{g.address(d)}|ADDRESS:{addr_kind}⟧"
    phone = f"，联系电话：{g.phone()}" if with_phone and g.rng.random() < 0.7 else ""
    if layout == 0:
        return f"{role_word}⟦{name}|PARTY:individual⟧，{sex}，{g.date(birth, 'cn')}出生，{id_cue}{idm}，{addr_cue}{addr}{phone}"
    if layout == 1:
        return f"{role_word}：⟦{name}|PARTY:individual⟧（{sex}，{id_cue}{idm}），{addr_cue}{addr}{phone}"
    if layout == 2:
        return f"{role_word}⟦{name}|PARTY:individual⟧，{id_cue}{idm}，{sex}，汉族，{addr_cue}{addr}{phone}"
    return f"{role_word}：⟦{name}|PARTY:individual⟧，性别：{sex}，{id_cue}{idm}，{addr_cue}{addr}{phone}"


def party_company(g: Gen, domain: str, d: str, *, bad: str | None = None) -> str:
    name = g.company(domain, d)
    uscc = g.uscc(d, bad=bad)
    rep = g.person()
    addr = f"⟦{g.address(d)}|ADDRESS:domicile⟧"
    layout = g.rng.randint(0, 3)
    if layout == 0:
        return (f"当事人：⟦{name}|PARTY:organization⟧，统一社会信用代码：{uscc}，住所：{addr}，"
                f"法定代表人：⟦{rep}|LEGAL_REP:法定代表人⟧")
    if layout == 1:
        return (f"当事人⟦{name}|PARTY:organization⟧（统一社会信用代码{uscc}，法定代表人⟦{rep}|LEGAL_REP:法定代表人⟧，"
                f"住所地{addr}）")
    if layout == 2:
        return (f"⟦{name}|PARTY:organization⟧（以下简称当事人），统一社会信用代码为{uscc}，"
                f"住所位于{addr}，法定代表人为⟦{rep}|LEGAL_REP:法定代表人⟧")
    return (f"当事人名称：⟦{name}|PARTY:organization⟧；统一社会信用代码：{uscc}；法定代表人：⟦{rep}|LEGAL_REP:法定代表人⟧；"
            f"住所：{addr}；联系电话：{g.phone()}")


def party_shop(g: Gen, domain: str, d: str, *, bad: str | None = None) -> str:
    shop = g.shop(domain, d)
    owner = g.person()
    uscc = g.uscc(d, org_type="92", bad=bad)
    prem = f"⟦{g.address(d)}|ADDRESS:business_premises⟧"
    layout = g.rng.randint(0, 2)
    if layout == 0:
        return (f"当事人⟦{shop}|PARTY:individual_business⟧（个体工商户，统一社会信用代码：{uscc}），"
                f"经营者：⟦{owner}|LEGAL_REP:经营者⟧，经营场所：{prem}")
    if layout == 1:
        return (f"当事人：⟦{shop}|PARTY:individual_business⟧，组成形式：个人经营，经营者⟦{owner}|LEGAL_REP:经营者⟧，"
                f"统一社会信用代码{uscc}，经营场所位于{prem}，联系电话{g.phone()}")
    return (f"个体工商户⟦{shop}|PARTY:individual_business⟧，统一社会信用代码{uscc}，"
            f"经营者为⟦{owner}|LEGAL_REP:经营者⟧，经营地址：{prem}")


# ---- 市场监管 / 食品
@template("T01", "市场监管")
def t01(g: Gen) -> str:
    d = g.district()
    day = g.day()
    return (f"{party_company(g, 'food', d)}。{g.date(day)}，{agency(g, 'scjg', d)}执法人员对当事人位于"
            f"⟦{g.address(d)}|ADDRESS:business_premises⟧的经营场所进行检查，发现其冷藏柜内存放的{g.rng.randint(2, 30)}袋"
            f"{g.pick(GOODS_EXPIRED)}已超过保质期，当事人仍用于加工制作。经查，上述食品货值金额{g.money(lo=50, hi=2000)}，"
            f"尚未产生违法所得。")


@template("T02", "市场监管")
def t02(g: Gen) -> str:
    d = g.district()
    seen = g.day()
    began = seen - timedelta(days=g.rng.randint(20, 400))
    return (f"{party_shop(g, 'food', d)}。{g.dt(seen)}，执法人员检查发现当事人未取得食品经营许可证，"
            f"擅自从事{g.pick(['餐饮服务', '预包装食品销售', '散装食品销售'])}活动。当事人自{g.date(began)}开始经营，"
            f"至被查获时共计销售额{g.money(lo=1000, hi=30000)}，违法所得{g.money(lo=300, hi=8000)}。")


@template("T03", "市场监管")
def t03(g: Gen) -> str:
    d = g.district()
    c = g.company("general", d)
    return (f"经查，⟦{c}|PARTY:organization⟧（统一社会信用代码：{g.uscc(d)}）于{g.date()}起在其网店销售标注"
            f"“{g.pick(['纯天然', '零添加', '治疗失眠', '国家级'])}”字样的商品，构成虚假宣传。"
            f"该公司法定代表人⟦{g.person(0.2)}|LEGAL_REP:法定代表人⟧对上述事实无异议。截至{g.date()}，"
            f"涉案商品销售额为{g.money(lo=5000, hi=90000)}。本案由{agency(g, 'scjg', d)}立案调查。")


@template("T04", "市场监管")
def t04(g: Gen) -> str:
    d = g.district()
    d1 = g.day()
    d0 = d1 - timedelta(days=g.rng.randint(1, 6))
    # 次日 refers to the complaint date, not to the purchase date mentioned last: a known hard case.
    return (f"{agency(g, 'scjg', d)}于{g.date(d1)}接到消费者投诉，反映{g.date(d0)}在⟦{g.place(d)}|PLACE⟧一流动摊位购买的"
            f"散装白酒无标签。执法人员于⟦次日|DATE={d1 + timedelta(days=1)}⟧前往核查，{party_person(g, d)}。当事人承认其销售的白酒系自行勾兑，"
            f"共销售{g.rng.randint(5, 60)}斤，每斤售价{g.money(style=g.pick(['plain', 'cn']), lo=10, hi=60)}。")


@template("T05", "市场监管")
def t05(g: Gen) -> str:
    d = g.district()
    bad = g.pick(["check", "char", None])
    return (f"{party_company(g, 'food', d, bad=bad)}。该公司于{g.date()}在{agency(g, 'scjg', d)}组织的食品安全监督抽检中，"
            f"其生产的{g.pick(['豆腐干', '辣椒油', '火锅底料', '腊肉'])}经检验{g.pick(['苯甲酸', '山梨酸', '铅'])}项目不合格。"
            f"经调查，不合格批次产品共{g.rng.randint(50, 900)}件，货值金额{g.money(lo=2000, hi=60000)}，已销售部分违法所得"
            f"{g.money(lo=200, hi=9000)}。")


# ---- 城管 / 市容
@template("T06", "城管")
def t06(g: Gen) -> str:
    d = g.district()
    return (f"{g.dt()}，{agency(g, 'cg', d)}执法队员在巡查中发现，{party_person(g, d, with_phone=False)}，"
            f"在⟦{g.place(d)}|PLACE⟧占用城市道路摆摊销售{g.pick(['水果', '蔬菜', '小吃', '玩具', '袜子'])}，"
            f"占道面积约{g.rng.randint(2, 15)}平方米，经劝导后仍未改正。")


@template("T07", "城管")
def t07(g: Gen) -> str:
    d = g.district()
    return (f"当事人⟦{g.company('build', d)}|PARTY:organization⟧，统一社会信用代码{g.uscc(d)}，负责人"
            f"⟦{g.person()}|LEGAL_REP:负责人⟧。{g.dt(tstyle='h_approx')}，该公司一辆车牌号为{g.plate('ordinary')}的"
            f"渣土运输车在⟦{g.place(d)}|PLACE⟧沿途抛洒建筑垃圾，污染路面约{g.rng.randint(20, 300)}平方米。"
            f"{agency(g, 'cg', d)}于{g.date()}依法立案。")


@template("T08", "城管")
def t08(g: Gen) -> str:
    d = g.district()
    return (f"经查，{party_shop(g, 'general', d)}。当事人于{g.date()}起未经批准在店铺外墙设置户外广告牌一块，"
            f"面积约{g.rng.randint(3, 40)}平方米。{agency(g, 'cg', d)}于{g.date()}向其送达责令限期改正通知书，"
            f"当事人逾期未改正。")


@template("T09", "城管")
def t09(g: Gen) -> str:
    d = g.district()
    day = g.day()
    return (f"{g.date(day)}晚，市民拨打热线{g.phone()}投诉⟦{g.place(d)}|PLACE⟧有餐饮店在露天烧烤。"
            f"⟦次日|DATE={day + timedelta(days=1)}⟧{g.time()}，执法人员到场核实，{party_person(g, d, role_word='违法行为人')}。现场查扣烧烤炉具{g.rng.randint(1, 4)}套。")


# ---- 道路交通
@template("T10", "道路交通")
def t10(g: Gen) -> str:
    d = g.district()
    name = g.person()
    idm, _b, _s = g.id_number(d)
    return (f"{g.dt()}，驾驶人⟦{name}|PARTY:individual⟧（居民身份证号码：{idm}）驾驶号牌为{g.plate(g.pick(['ordinary', 'ordinary', 'nev']))}的"
            f"小型轿车，行驶至⟦{g.place(d)}|PLACE⟧时，{g.pick(['未按交通信号灯指示通行', '违反禁止标线指示', '不按规定让行', '驾驶时拨打手持电话'])}，"
            f"被{agency(g, 'jj', d)}民警当场查获。")


@template("T11", "道路交通")
def t11(g: Gen) -> str:
    d = g.district()
    return (f"违法时间：{g.date(style=g.pick(['dash', 'slash', 'cn']))} {g.time('colon')}；违法地点：⟦{g.place(d)}|PLACE⟧；"
            f"号牌号码：{g.plate()}；{party_person(g, d, role_word='驾驶人')}；违法行为：机动车违反规定停放、临时停车，"
            f"驾驶人不在现场，妨碍其他车辆、行人通行。")


@template("T12", "道路交通")
def t12(g: Gen) -> str:
    d = g.district()
    name = g.person()
    idm, _b, sex = g.id_number(d, bad=g.pick(["check", "date", None, None]))
    return (f"{g.dt(tstyle='pm_approx')}，{agency(g, 'jj', d)}民警在⟦{g.place(d)}|PLACE⟧开展酒驾整治，"
            f"拦截检查⟦{name}|PARTY:individual⟧驾驶的{g.plate()}号小型普通客车，经呼气酒精检测，其血液酒精含量为"
            f"{g.rng.randint(21, 79)}mg/100ml，属饮酒后驾驶。经查，{name}，{sex}，身份证号{idm}，联系电话{g.phone()}。")


@template("T13", "道路交通")
def t13(g: Gen) -> str:
    d = g.district()
    c = g.company("general", d)
    return (f"当事人⟦{c}|PARTY:organization⟧（统一社会信用代码：{g.uscc(d)}）所属{g.plate('ordinary')}"
            f"号重型半挂牵引车于{g.dt()}在⟦{g.place(d)}|PLACE⟧被查获超限运输，车货总重"
            f"{g.rng.randint(50, 70)}吨，超过限定标准。该公司法定代表人⟦{g.person()}|LEGAL_REP:法定代表人⟧，"
            f"联系电话{g.phone()}。")


# ---- 生态环境
@template("T14", "生态环境")
def t14(g: Gen) -> str:
    d = g.district()
    seen = g.day()
    approved = seen - timedelta(days=g.rng.randint(100, 700))
    return (f"{party_company(g, 'env', d)}。{g.date(seen)}，{agency(g, 'hb', d)}执法人员对当事人位于"
            f"⟦{g.address(d)}|ADDRESS:business_premises⟧的生产车间进行现场检查，发现其喷漆工序未配套建设挥发性有机物"
            f"收集处理设施即投入生产。该项目环境影响报告表于{g.date(approved)}获批，投资总额{g.money(style='wan', lo=100000, hi=5000000)}。")


@template("T15", "生态环境")
def t15(g: Gen) -> str:
    d = g.district()
    bad = g.pick(["check", "length", None])
    c = g.company("env", d)
    return (f"{g.date()}，{agency(g, 'hb', d)}对⟦{c}|PARTY:organization⟧（统一社会信用代码：{g.uscc(d, bad=bad)}）"
            f"废水总排口进行监督性监测，化学需氧量浓度超过排放标准{g.rng.randint(1, 5)}.{g.rng.randint(1, 9)}倍。"
            f"该公司住所：⟦{g.address(d)}|ADDRESS:domicile⟧，法定代表人：⟦{g.person()}|LEGAL_REP:法定代表人⟧。")


@template("T16", "生态环境")
def t16(g: Gen) -> str:
    d = g.district()
    return (f"{g.dt()}，执法人员接群众举报，在⟦{g.place(d)}|PLACE⟧发现一辆{g.plate()}号货车正在向河道倾倒"
            f"建筑垃圾。驾驶员{party_person(g, d, role_word='')}。经查，该车受"
            f"{g.company('build', d)}委托运输，运费{g.money(lo=300, hi=3000)}。")


# ---- 消防
@template("T17", "消防")
def t17(g: Gen) -> str:
    d = g.district()
    return (f"{g.date()}，{agency(g, 'xf', d)}监督员对{party_shop(g, 'fire', d)}进行消防监督检查，"
            f"发现该场所{g.pick(['疏散通道堆放杂物', '安全出口上锁', '消防设施未保持完好有效', '占用防火间距'])}，"
            f"当场下发责令改正通知书，要求于{g.date()}前改正。")


@template("T18", "消防")
def t18(g: Gen) -> str:
    d = g.district()
    c = g.company("fire", d)
    return (f"当事人⟦{c}|PARTY:organization⟧，统一社会信用代码：{g.uscc(d)}，法定代表人：⟦{g.person()}|LEGAL_REP:法定代表人⟧，"
            f"经营场所：⟦{g.address(d)}|ADDRESS:business_premises⟧。{g.dt()}，{agency(g, 'xf', d)}"
            f"检查发现该场所室内消火栓{g.rng.randint(2, 12)}处无水，火灾自动报警系统处于故障状态。")


# ---- 安全生产
@template("T19", "安全生产")
def t19(g: Gen) -> str:
    d = g.district()
    return (f"{party_company(g, 'env', d)}。{g.date()}，{agency(g, 'yj', d)}执法人员检查发现，该公司未对"
            f"{g.rng.randint(2, 20)}名新进员工进行安全生产教育和培训即安排上岗作业；危险化学品仓库未设置明显的安全警示标志。"
            f"执法人员联系电话{g.phone()}。")


@template("T20", "安全生产")
def t20(g: Gen) -> str:
    d = g.district()
    day = g.day()
    return (f"{g.dt(day, tstyle='h_approx')}，⟦{g.branch('build')}|PARTY:organization⟧（负责人：⟦{g.person()}|LEGAL_REP:负责人⟧）"
            f"承建的⟦{g.address(d)}|PLACE⟧工地发生一起高处坠落事故，造成1人受伤，直接经济损失约{g.money(style=g.pick(['wan', 'plain']), lo=10000, hi=300000)}。"
            f"{agency(g, 'yj', d)}于{g.date(day + timedelta(days=g.rng.randint(1, 10)))}立案调查。")


# ---- 税务
@template("T21", "税务")
def t21(g: Gen) -> str:
    d = g.district()
    return (f"{agency(g, 'sw', d)}查明：{party_company(g, 'general', d)}，于{g.date()}至{g.date()}期间，"
            f"通过个人账户收取货款{g.money(lo=100000, hi=900000, style=g.pick(['comma', 'plain', 'wan']))}未入账，"
            f"少缴增值税{g.cents()}。")


@template("T22", "税务")
def t22(g: Gen) -> str:
    d = g.district()
    return (f"经核查，{party_shop(g, 'general', d)}。该户未按照规定期限办理纳税申报，"
            f"税务机关于{g.date()}责令其限期改正，逾期仍未申报。{agency(g, 'sw', d)}拟处罚款{g.money(lo=200, hi=2000)}。")


# ---- 治安
@template("T23", "治安")
def t23(g: Gen) -> str:
    d = g.district()
    day = g.day()
    return (f"{g.dt(day, tstyle=g.pick(['am_pm', 'pm_approx', 'h_approx']))}，{party_person(g, d, role_word='违法行为人')}，"
            f"在⟦{g.place(d)}|PLACE⟧因琐事与他人发生口角，用拳头殴打他人面部，致其轻微伤。"
            f"{agency(g, 'ga', d)}于⟦当日|DATE={day}⟧受案。")


@template("T24", "治安")
def t24(g: Gen) -> str:
    d = g.district()
    shop = g.shop("fire", d)
    return (f"经查，⟦{shop}|PARTY:individual_business⟧经营者⟦{g.person()}|LEGAL_REP:经营者⟧于{g.date()}至{g.date()}期间，"
            f"未按规定登记住宿旅客身份信息共计{g.rng.randint(3, 40)}人次。{agency(g, 'ga', d)}民警于"
            f"{g.date()}检查时发现。")


# ---- 规划建设
@template("T25", "规划建设")
def t25(g: Gen) -> str:
    d = g.district()
    return (f"{party_company(g, 'build', d)}。当事人于{g.date(style='cn')}起，在未取得建设工程规划许可证的情况下，"
            f"在⟦{g.address(d)}|PLACE⟧擅自建设{g.rng.randint(2, 6)}层框架结构建筑，建筑面积约{g.rng.randint(200, 3000)}平方米，"
            f"工程造价{g.money(style=g.pick(['wan', 'comma']), lo=500000, hi=9000000)}。{agency(g, 'gh', d)}于{g.date()}立案。")


@template("T26", "规划建设")
def t26(g: Gen) -> str:
    d = g.district()
    return (f"{agency(g, 'gh', d)}执法人员于{g.date()}巡查发现，{party_person(g, d)}，在其位于⟦{g.address(d)}|PLACE⟧"
            f"的住宅屋顶违法搭建彩钢棚约{g.rng.randint(15, 120)}平方米，至今未拆除。")


@template("T27", "规划建设")
def t27(g: Gen) -> str:
    d = g.district()
    c = g.company("build", d)
    return (f"当事人⟦{c}|PARTY:organization⟧（统一社会信用代码：{g.uscc(d, bad=g.pick(['check', None]))}）"
            f"承建的项目于{g.date()}未经施工许可擅自开工，合同价款{g.money(style='wan', lo=1000000, hi=20000000)}。"
            f"该公司负责人⟦{g.person()}|LEGAL_REP:负责人⟧，联系电话{g.phone()}，住所：⟦{g.address(d)}|ADDRESS:domicile⟧。")


# ---- mixed / extra styles
@template("T28", "道路交通")
def t28(g: Gen) -> str:
    d = g.district()
    return (f"{party_person(g, d, role_word='当事人')}。{g.dt()}，当事人驾驶{g.plate('nev')}号"
            f"新能源小型客车在⟦{g.place(d)}|PLACE⟧超速行驶，经测速超过规定时速{g.rng.randint(10, 49)}%。"
            f"{agency(g, 'jj', d)}拟对其处以罚款{g.money(style=g.pick(['plain', 'cn']), lo=200, hi=2000)}。")


@template("T29", "市场监管")
def t29(g: Gen) -> str:
    d = g.district()
    return (f"{party_company(g, 'food', d, bad=g.pick(['length', 'check']))}。{g.date()}，执法人员在当事人"
            f"经营场所⟦{g.address(d)}|ADDRESS:business_premises⟧发现其使用的{g.rng.randint(1, 5)}台电子秤未经检定。")


@template("T30", "城管")
def t30(g: Gen) -> str:
    d = g.district()
    return (f"{g.date()}，{agency(g, 'cg', d)}接{agency(g, 'scjg', d)}移送线索，"
            f"{party_shop(g, 'food', d)}，将餐厨垃圾交由无资质个人收运，于{g.date()}被查实。")


def _hand(split: str, text: str) -> tuple[str, str]:
    return split, text


# ------------------------------------------------------------------------------------- hand-written items
def hand_items(g: Gen) -> list[str]:
    """Free-form descriptions written one by one. Identifier slots are filled with synthetic valid/invalid numbers."""
    id1, _, _ = g.id_number("渝北区", sex="男", birth=date(1986, 7, 14))
    id2, _, _ = g.id_number("南岸区", sex="女", bad="check")
    id3, _, _ = g.id_number("沙坪坝区", sex="男", bad="date")
    id4, _, _ = g.id_number("江北区", sex="女")
    id5, _, _ = g.id_number("渝中区", sex="男", bad="length")
    id6, _, _ = g.id_number("九龙坡区", sex="男")
    id7, _, _ = g.id_number("巴南区", sex="女", bad="digit")
    id8, _, _ = g.id_number("万州区", sex="男")
    id9, _, _ = g.id_number("沙坪坝区", sex="女", bad="check")
    u = [g.uscc(d) for d in ("渝中区", "江北区", "南岸区", "渝北区", "九龙坡区", "沙坪坝区", "巴南区", "北碚区")]
    ub = [g.uscc("渝中区", bad="check"), g.uscc("江北区", bad="char"), g.uscc("南岸区", org_type="92"),
          g.uscc("渝北区", org_type="92", bad="check"), g.uscc("长寿区", org_type="12"), g.uscc("璧山区", org_type="93"),
          g.uscc("江北区", bad="check")]
    p = [g.phone() for _ in range(8)]
    return [
        # 0 市场监管, 个体, Chinese-numeral date
        f"⟦二〇二五年三月十二日|DATE=2025-03-12⟧，⟦重庆市渝中区市场监督管理局|AGENCY⟧执法人员依法对"
        f"⟦渝中区幺妹豆花饭店|PARTY:individual_business⟧（经营者：⟦向某某|LEGAL_REP:经营者⟧，统一社会信用代码：{ub[2]}）"
        f"进行检查，发现其操作间内存放的⟦2|X⟧桶食用油无任何标签，无法提供购货凭证。",
        # 1 城管, individual, 许
        f"⟦2024年11月3日|DATE=2024-11-03⟧⟦下午3时许|TIME=15:00~⟧，当事人⟦冉某|PARTY:individual⟧在"
        f"⟦南岸区弹子石正街28号门前|PLACE⟧人行道上洗车作业，污水横流。经查，冉某身份证号{id1}，户籍所在地"
        f"⟦重庆市渝北区双龙大道66号|ADDRESS:domicile⟧。⟦南岸区城市管理局|AGENCY⟧于⟦当日|DATE=2024-11-03⟧立案。",
        # 2 交通, invalid ID (check char)
        f"⟦2025-01-18|DATE=2025-01-18⟧ ⟦08:42|TIME=08:42⟧，⟦杨某某|PARTY:individual⟧驾驶⟦渝A·7M3K9|PLATE=渝A7M3K9⟧号小型轿车"
        f"在⟦渝中区大坪正街与石油路交叉路口|PLACE⟧闯红灯。驾驶人身份证号码{id2}，手机{p[0]}。",
        # 3 生态环境, company, 负责人 of branch
        f"⟦重庆恒通物流有限公司渝北分公司|PARTY:organization⟧，统一社会信用代码{u[3]}，负责人⟦唐德明|LEGAL_REP:负责人⟧，"
        f"营业场所⟦重庆市渝北区红锦大道88号3-2|ADDRESS:business_premises⟧。该分公司于⟦2024年9月|DATE=2024-09⟧起在"
        f"⟦渝北区空港工业园区东侧空地|PLACE⟧露天焚烧废旧轮胎，⟦重庆市渝北区生态环境局|AGENCY⟧于"
        f"⟦2024年10月8日|DATE=2024-10-08⟧现场查获。",
        # 4 消防 — two dates, time without minutes
        f"⟦重庆市江北区消防救援支队|AGENCY⟧于⟦2025年4月2日|DATE=2025-04-02⟧⟦10时|TIME=10:00⟧对"
        f"⟦重庆嘉禾商业管理有限公司|PARTY:organization⟧（统一社会信用代码：{u[1]}；法定代表人：⟦郑晓东|LEGAL_REP:法定代表人⟧）"
        f"管理的商场进行检查，发现⟦3|X⟧处常闭式防火门处于开启状态，责令于⟦2025年4月9日|DATE=2025-04-09⟧前改正。",
        # 5 安全生产 — amount in 大写
        f"经调查，⟦重庆华腾机械制造股份有限公司|PARTY:organization⟧（统一社会信用代码{u[4]}）于⟦2025年2月20日|DATE=2025-02-20⟧"
        f"发生一起机械伤害事故，造成⟦1|X⟧人死亡，直接经济损失⟦人民币壹佰贰拾万元整|MONEY=120000000⟧。该公司住所："
        f"⟦重庆市九龙坡区九龙园区华龙大道99号|ADDRESS:domicile⟧，法定代表人：⟦马建国|LEGAL_REP:法定代表人⟧。",
        # 6 税务 — money with 角分
        f"⟦国家税务总局重庆市沙坪坝区税务局稽查局|AGENCY⟧查明，⟦重庆同创商贸有限公司|PARTY:organization⟧"
        f"（纳税人识别号即统一社会信用代码：{u[5]}）⟦2023年|X⟧度少计收入⟦386,500.00元|MONEY=38650000⟧，"
        f"少缴企业所得税⟦9662.50元|MONEY=966250⟧。",
        # 7 治安 — 派出所, 15-digit style bad ID length
        f"⟦2025年6月7日|DATE=2025-06-07⟧⟦凌晨1时许|TIME=01:00~⟧，⟦重庆市公安局渝中区分局解放碑派出所|AGENCY⟧接警，"
        f"违法行为人⟦蒲某|PARTY:individual⟧（男，身份证号码{id5}）在⟦渝中区八一路某酒吧门口|PLACE⟧酒后滋事，"
        f"损毁他人财物价值⟦1200元|MONEY=120000⟧。",
        # 8 规划建设 — 村
        f"⟦重庆市巴南区规划和自然资源局|AGENCY⟧查明：当事人⟦谭某某|PARTY:individual⟧（公民身份号码：{id7}），"
        f"未经批准于⟦2024年3月|DATE=2024-03⟧在⟦巴南区界石镇石桥村5社|PLACE⟧占用耕地建房，占地面积⟦180|X⟧平方米。",
        # 9 市场监管 — 价格, money ranges
        f"当事人⟦重庆天天鲜超市有限公司|PARTY:organization⟧，统一社会信用代码：{u[2]}，住所：⟦重庆市南岸区南坪西路22号|ADDRESS:domicile⟧，"
        f"法定代表人：⟦白丹|LEGAL_REP:法定代表人⟧。⟦2025.2.14|DATE=2025-02-14⟧，该超市将标价⟦39.9元|MONEY=3990⟧的玫瑰花"
        f"以⟦99元|MONEY=9900⟧结算，多收价款⟦59.10元|MONEY=5910⟧。",
        # 10 交通 — 挂车, 学
        f"⟦2025/5/6|DATE=2025-05-06⟧ ⟦16:20|TIME=16:20⟧，教练车⟦渝B3721学|PLATE=渝B3721学⟧在⟦沙坪坝区大学城南路|PLACE⟧"
        f"违反规定在非指定路线进行教学，教练员⟦钱某|PARTY:individual⟧，身份证号{id6}。",
        # 11 城管 — invalid USCC char, 经营者 individual business
        f"个体工商户⟦江北区鑫鑫副食店|PARTY:individual_business⟧（统一社会信用代码{ub[1]}，经营者⟦余小波|LEGAL_REP:经营者⟧）"
        f"于⟦2024年12月20日|DATE=2024-12-20⟧在店外⟦江北区洋河路12号门前|PLACE⟧超出门窗外摆卖商品，"
        f"⟦重庆市江北区城市管理局|AGENCY⟧执法人员当场责令改正。",
        # 12 生态环境 — 合作社 (93), 负责人? 法定代表人
        f"⟦重庆市璧山区绿源生猪养殖专业合作社|PARTY:organization⟧（统一社会信用代码：{ub[5]}，法定代表人：⟦熊成林|LEGAL_REP:法定代表人⟧）"
        f"养殖废水未经处理直接排入⟦璧山区璧泉街道东林大道旁的溪沟|PLACE⟧，⟦重庆市璧山区生态环境局|AGENCY⟧于"
        f"⟦2025年7月1日|DATE=2025-07-01⟧立案查处。",
        # 13 食品 — 事业单位 canteen
        f"⟦重庆市长寿区人民医院|PARTY:organization⟧（统一社会信用代码{ub[4]}）职工食堂于⟦2024-08-30|DATE=2024-08-30⟧"
        f"被抽检发现餐具大肠菌群不合格。⟦长寿区市场监督管理局|AGENCY⟧执法人员于⟦次日|DATE=2024-08-31⟧进行复查。",
        # 14 治安 — individual with 现住址 and phone landline
        f"违法行为人⟦邓某某|PARTY:individual⟧，女，⟦1992年5月3日|DATE=1992-05-03⟧出生，身份证号码{id4}，"
        f"现住址⟦重庆市江北区华新街15号4-1|ADDRESS:domicile⟧，联系电话⟦023-67751234|PHONE=02367751234⟧。"
        f"⟦2025年1月30日|DATE=2025-01-30⟧⟦21时40分|TIME=21:40⟧，邓某某在⟦江北区观音桥步行街|PLACE⟧燃放烟花爆竹。",
        # 15 消防 — 个体 网吧 invalid 92 USCC
        f"⟦2025年3月8日|DATE=2025-03-08⟧，⟦渝北区消防救援支队|AGENCY⟧检查发现⟦渝北区蓝天网吧|PARTY:individual_business⟧"
        f"（个体工商户，经营者⟦孔某|LEGAL_REP:经营者⟧，统一社会信用代码：{ub[3]}）⟦2|X⟧个安全出口中有⟦1|X⟧个被锁闭。",
        # 16 道路交通 — Chinese date with 零
        "⟦二零二四年十月一日|DATE=2024-10-01⟧⟦上午10时20分|TIME=10:20⟧，⟦川A·D3Q876|PLATE=川AD3Q876⟧号新能源小型汽车"
        "在⟦渝中区较场口路段|PLACE⟧违法停车，驾驶人⟦罗某|PARTY:individual⟧不在现场，"
        "⟦重庆市公安局交通管理局渝中区支队|AGENCY⟧依法贴单告知。",
        # 17 安全生产 — 主要负责人 as individual party
        f"⟦重庆市合川区应急管理局|AGENCY⟧于⟦2024年6月18日|DATE=2024-06-18⟧检查⟦重庆三江化工有限公司|PARTY:organization⟧"
        f"（统一社会信用代码：{u[6]}）时发现，该公司储罐区可燃气体报警装置失效。经查，该公司住所：⟦重庆市合川区花园路18号|ADDRESS:domicile⟧，"
        f"联系电话：{p[1]}。",
        # 18 市场监管 — 商标, money ranges in 万元
        f"当事人⟦重庆锦程服装有限公司|PARTY:organization⟧于⟦2024年5月|DATE=2024-05⟧至8月期间销售假冒注册商标的运动鞋⟦860|X⟧双，"
        f"违法经营额⟦25.8万元|MONEY=25800000⟧，违法所得⟦3.2万元|MONEY=3200000⟧。该公司统一社会信用代码{ub[0]}，"
        f"法定代表人⟦肖宏伟|LEGAL_REP:法定代表人⟧。",
        # 19 城管 — no party name, only place and agency
        "⟦2025年8月15日|DATE=2025-08-15⟧⟦22时许|TIME=22:00~⟧，⟦重庆市九龙坡区城市管理局|AGENCY⟧接到举报，"
        "⟦九龙坡区杨家坪正街45号|PLACE⟧某工地夜间施工产生噪声扰民，现场负责人拒不提供施工许可手续。",
        # 20 交通 — driver, plate with space, ¥
        "驾驶人⟦黎某某|PARTY:individual⟧于⟦2025年2月3日|DATE=2025-02-03⟧⟦14:05|TIME=14:05⟧驾驶⟦贵A 5K209|PLATE=贵A5K209⟧号"
        "小型汽车在⟦渝北区金开大道|PLACE⟧实线变道，依法处罚款⟦¥150|MONEY=15000⟧，记⟦3|X⟧分。",
        # 21 生态环境 — company, invalid ID of rep? address 地址
        f"⟦重庆佳美印染有限公司|PARTY:organization⟧，统一社会信用代码：{u[7]}，法定代表人：⟦汪美玲|LEGAL_REP:法定代表人⟧"
        f"（身份证号码：{id3}），地址：⟦重庆市北碚区天生路201号|ADDRESS:other⟧。⟦2025年5月12日|DATE=2025-05-12⟧，"
        f"该公司被发现私设暗管排放印染废水。",
        # 22 税务 — 个体, fine in Chinese lower-case
        "⟦万州区高笋塘佳佳烟酒店|PARTY:individual_business⟧（经营者⟦韦某|LEGAL_REP:经营者⟧）未按规定取得发票，"
        "⟦国家税务总局重庆市万州区税务局|AGENCY⟧决定处以罚款⟦五千元|MONEY=500000⟧。",
        # 23 治安 — two persons
        f"⟦2024年12月31日|DATE=2024-12-31⟧⟦23时50分许|TIME=23:50~⟧，违法行为人⟦莫某|PARTY:individual⟧与⟦戴某某|PARTY:individual⟧"
        f"在⟦沙坪坝区三峡广场|PLACE⟧相互斗殴。莫某身份证号{id8}，戴某某身份证号{id9}。",
        # 24 规划建设 — 住建委, money 千元
        "⟦重庆市渝北区住房和城乡建设委员会|AGENCY⟧于⟦2025年3月20日|DATE=2025-03-20⟧查明：⟦重庆盛世华庭房地产开发有限公司|PARTY:organization⟧"
        "（法定代表人⟦姜国庆|LEGAL_REP:法定代表人⟧）未按规定公示商品房销售价格，拟罚款⟦5千元|MONEY=500000⟧。",
        # 25 市场监管 — 格式 with labels
        f"当事人名称：⟦重庆正阳药房有限公司|PARTY:organization⟧；主体类型：有限责任公司；统一社会信用代码：{u[0]}；"
        f"法定代表人：⟦段立新|LEGAL_REP:法定代表人⟧；住所：⟦重庆市渝中区新华路88号|ADDRESS:domicile⟧；"
        f"经营场所：⟦重庆市渝中区中山三路131号附1号|ADDRESS:business_premises⟧；联系电话：{p[2]}。"
        f"违法行为发生地：⟦重庆市渝中区中山三路131号附1号|PLACE⟧。",
        # 26 消防 — individual 住宅楼道
        f"⟦2025年9月2日|DATE=2025-09-02⟧，⟦大渡口区消防救援支队|AGENCY⟧接到举报，⟦大渡口区松青路18号|PLACE⟧居民楼"
        f"楼道内有电动自行车充电。经查，车主为⟦龚某|PARTY:individual⟧，联系电话{p[3]}。",
        # 27 道路交通 — 货车 overload, company, 大写 money
        "⟦2024年7月7日|DATE=2024-07-07⟧，⟦湘A5G812|PLATE=湘A5G812⟧号重型货车在⟦江津区双福街道福城大道|PLACE⟧"
        "超载运输，车辆所有人为⟦湖南顺达物流有限公司|PARTY:organization⟧，拟对其罚款⟦人民币贰仟元整|MONEY=200000⟧。",
        # 28 食品 — 网络订餐, relative dates
        "⟦2025年4月21日|DATE=2025-04-21⟧，消费者通过外卖平台向⟦江北区味香园餐馆|PARTY:individual_business⟧订餐后出现腹泻。"
        "执法人员于⟦次日|DATE=2025-04-22⟧⟦9时30分|TIME=09:30⟧检查该店经营场所⟦重庆市江北区五里店路61号|ADDRESS:business_premises⟧，"
        "经营者⟦廖某某|LEGAL_REP:经营者⟧未能提供从业人员健康证明。",
        # 29 生态环境 — 建设项目, 万元
        "⟦重庆市生态环境局|AGENCY⟧查明，⟦重庆渝发混凝土有限公司|PARTY:organization⟧在⟦江津区几江街道鼎山大道|PLACE⟧建设的"
        "搅拌站项目未依法报批环境影响评价文件擅自开工，项目总投资⟦1200万元|MONEY=1200000000⟧。",
        # 30 治安 — 娱乐场所, 负责人
        "⟦重庆市公安局南岸区分局|AGENCY⟧民警于⟦2025年5月1日|DATE=2025-05-01⟧⟦0时30分|TIME=00:30⟧检查"
        "⟦重庆聚福娱乐有限公司|PARTY:organization⟧经营的KTV，发现其未按规定安装视频监控设备。该公司负责人⟦秦某|LEGAL_REP:负责人⟧。",
        # 31 城管 — 渣土 with plate and no company name
        "⟦2025年6月10日|DATE=2025-06-10⟧⟦夜间23时许|TIME=23:00~⟧，⟦渝D·52178|PLATE=渝D52178⟧号渣土车未密闭运输，"
        "在⟦巴南区龙洲大道|PLACE⟧造成道路遗撒，被⟦重庆市巴南区城市管理局|AGENCY⟧查获。驾驶员⟦曾某某|PARTY:individual⟧。",
        # 32 市场监管 — 计量, invalid date ID
        f"当事人⟦熊某某|PARTY:individual⟧（身份证号：{id3}）在⟦永川区萱花路农贸市场|PLACE⟧"
        f"经营猪肉摊位，使用作弊电子秤，每斤短秤⟦0.2|X⟧斤。",
        # 33 安全生产 — 有限空间, 两个日期格式
        "⟦2025.6.3|DATE=2025-06-03⟧，⟦重庆山城环保科技有限公司|PARTY:organization⟧在⟦涪陵区太极大道|PLACE⟧污水管网"
        "进行有限空间作业时未进行气体检测，⟦涪陵区应急管理局|AGENCY⟧于⟦2025/6/5|DATE=2025-06-05⟧立案。",
        # 34 税务 — 个人 出租房屋
        f"纳税人⟦史某|PARTY:individual⟧（身份证号码{id6}）将其位于⟦重庆市渝中区解放西路66号|ADDRESS:other⟧的商铺出租，"
        f"⟦2023年|X⟧全年取得租金收入⟦120,000元|MONEY=12000000⟧，未申报缴纳相关税费。",
        # 35 道路交通 — 无证驾驶, 港 plate
        "⟦2024年4月4日|DATE=2024-04-04⟧，⟦粤Z·H123港|PLATE=粤ZH123港⟧号车辆驾驶人⟦陈某|PARTY:individual⟧在⟦渝北区双龙大道|PLACE⟧"
        "未携带机动车驾驶证，被⟦重庆市公安局交通管理局渝北区支队|AGENCY⟧处以罚款⟦二十元|MONEY=2000⟧。",
        # 36 规划建设 — 事先告知 style, no ids
        "本机关于⟦2025年7月22日|DATE=2025-07-22⟧查明，⟦重庆博远建筑工程有限公司|PARTY:organization⟧在"
        "⟦重庆市永川区人民大道300号|PLACE⟧施工中未按照规定设置围挡，⟦永川区住房和城乡建设委员会|AGENCY⟧拟作出罚款"
        "⟦三万元|MONEY=3000000⟧的行政处罚。",
        # 37 食品 — 学校食堂, 次日
        "⟦2025年9月10日|DATE=2025-09-10⟧⟦11时许|TIME=11:00~⟧，⟦北碚区市场监督管理局|AGENCY⟧检查"
        "⟦重庆康宁餐饮管理有限公司|PARTY:organization⟧承包经营的学校食堂，发现留样不足⟦125克|X⟧。"
        "该公司法定代表人⟦侯永福|LEGAL_REP:法定代表人⟧于⟦次日|DATE=2025-09-11⟧到案接受询问。",
        # 38 治安 — 娱乐 个体, 经营场所 named
        "⟦沙坪坝区小龙坎阿兰茶楼|PARTY:individual_business⟧，经营者：⟦付某某|LEGAL_REP:经营者⟧，"
        "经营场所：⟦重庆市沙坪坝区小龙坎正街77号2楼|ADDRESS:business_premises⟧，于⟦2025年2月1日|DATE=2025-02-01⟧"
        "为赌博提供条件，⟦重庆市公安局沙坪坝区分局|AGENCY⟧收缴赌资⟦6800元|MONEY=680000⟧。",
        # 39 城管 — 个人 phone with dashes
        "市民⟦苏某|X⟧反映，⟦南岸区万寿路|PLACE⟧有人乱贴小广告，留有联系电话⟦139-8301-2476|PHONE=13983012476⟧。"
        "⟦南岸区城市管理局|AGENCY⟧于⟦2025年3月3日|DATE=2025-03-03⟧约谈号码使用人⟦吕某|PARTY:individual⟧。",
        # 40 市场监管 — 广告, money 百分比 style
        f"⟦重庆润泽科技有限公司|PARTY:organization⟧（统一社会信用代码：{ub[6]}）"
        f"发布含有“最佳”用语的广告，广告费用⟦8000元|MONEY=800000⟧。⟦江北区市场监督管理局|AGENCY⟧于"
        f"⟦二〇二五年五月二十日|DATE=2025-05-20⟧立案。",
        # 41 生态环境 — 机动车 黑烟
        f"⟦2025年1月9日|DATE=2025-01-09⟧，⟦渝F·36C21|PLATE=渝F36C21⟧号柴油货车在⟦万州区江南大道|PLACE⟧排放明显可见黑烟，"
        f"驾驶人⟦覃某|PARTY:individual⟧，联系电话{p[4]}。",
        # 42 消防 — 负责人 of branch & landline
        f"⟦重庆安泰物业管理有限公司江北分公司|PARTY:organization⟧，负责人：⟦邹海燕|LEGAL_REP:负责人⟧，联系电话：{p[5]}。"
        f"⟦2025年8月8日|DATE=2025-08-08⟧，该分公司管理的小区消防控制室无人值班。",
        # 43 交通 — 使 plate
        "⟦2025年10月2日|DATE=2025-10-02⟧⟦下午4时|TIME=16:00⟧，⟦使021356|PLATE=使021356⟧号车辆在⟦渝中区中山三路路段|PLACE⟧违法停车。",
        # 44 食品 — 小作坊 individual
        f"当事人⟦任某某|PARTY:individual⟧（身份证号{id1}）在⟦合川区南津街118号|PLACE⟧无证生产销售米粉，"
        f"现场查获成品⟦200|X⟧公斤，货值⟦一千二百元|MONEY=120000⟧。",
    ]


# ------------------------------------------------------------------------ fresh hand-written items
def fresh_items(g: Gen) -> list[str]:
    """Written after the rules were frozen, in styles the templates do not use (other cities, other cue words,
    其他 layouts). Never used for tuning: they measure how the rules carry over to unseen phrasing."""
    i1, _, _ = g.id_number(None, sex="男", birth=date(1979, 2, 28))
    i2, _, _ = g.id_number(None, sex="女", birth=date(1990, 12, 1))
    i3, _, _ = g.id_number(None, sex="男", bad="check")
    i4, _, _ = g.id_number(None, sex="男", bad="length")
    i5, _, _ = g.id_number(None, sex="女")
    i6, _, _ = g.id_number(None, sex="男", bad="digit")
    i7, _, _ = g.id_number(None, sex="男")
    i8, _, _ = g.id_number(None, sex="男", birth=date(1985, 4, 30))
    i9, _, _ = g.id_number(None, sex="男")
    u1, u2, u3, u4 = g.uscc(), g.uscc(), g.uscc(org_type="92"), g.uscc(bad="char")
    u5, u6, u7 = g.uscc(), g.uscc(bad="check"), g.uscc(org_type="52")
    return [
        f"被处罚单位：⟦北京云图数据科技有限公司|PARTY:organization⟧\n社会信用代码：{u1}\n法定代表人：⟦欧阳明轩|LEGAL_REP:法定代表人⟧\n"
        f"住所：⟦北京市朝阳区望京街道阜通东大街6号|ADDRESS:domicile⟧\n经查，该公司于⟦2025年3月5日|DATE=2025-03-05⟧至"
        f"⟦3月10日|DATE=2025-03-10⟧期间在其官网发布虚假宣传内容。",
        "⟦上海市浦东新区城市管理行政执法局|AGENCY⟧执法队员于⟦2024年8月19日|DATE=2024-08-19⟧⟦上午十时许|TIME=10:00~⟧"
        "巡查至⟦浦东新区张杨路1500号|PLACE⟧时，发现⟦上海浦东鲜丰水果店|PARTY:individual_business⟧（个体工商户，经营者"
        "⟦司马某|LEGAL_REP:经营者⟧）超出门窗设摊经营。",
        f"行为人⟦刘一鸣|PARTY:individual⟧，男，公民身份号码：{i8}，联系方式：⟦13700001111|PHONE=13700001111⟧。"
        f"⟦2025年2月14日|DATE=2025-02-14⟧⟦22:30左右|TIME=22:30~⟧，刘一鸣在⟦成都市武侯区人民南路四段12号|PLACE⟧"
        f"酒吧内寻衅滋事，⟦成都市公安局武侯区分局|AGENCY⟧依法传唤。",
        f"⟦深圳市南山区市场监督管理局|AGENCY⟧现场检查发现，⟦深圳市腾飞电子有限公司|PARTY:organization⟧"
        f"（统一社会信用代码：{u2}）仓库内存放无3C认证的充电宝⟦1200|X⟧个，货值⟦3万余元|MONEY=3000000⟧。",
        f"当事人姓名：⟦黄晓梅|PARTY:individual⟧；性别：女；出生日期：⟦1990年12月1日|DATE=1990-12-01⟧；"
        f"身份证件号码：{i2}；住址：⟦浙江省杭州市西湖区文三路90号3幢2单元501室|ADDRESS:domicile⟧。",
        "⟦杭州市西湖区综合行政执法局|AGENCY⟧于⟦2025年6月3日|DATE=2025-06-03⟧接到投诉后，于⟦翌日|DATE=2025-06-04⟧"
        "对⟦西湖区文一路口|PLACE⟧一处违规设置的户外广告进行拆除，广告所有人为⟦杭州某某广告有限公司|PARTY:organization⟧。",
        f"驾驶人⟦马某某|PARTY:individual⟧驾驶⟦京N·8U2C1|PLATE=京N8U2C1⟧号小型轿车于⟦2024-11-30|DATE=2024-11-30⟧ "
        f"⟦07:55|TIME=07:55⟧在⟦北京市海淀区中关村大街与海淀桥交叉路口|PLACE⟧闯红灯，⟦北京市公安局公安交通管理局海淀交通支队|AGENCY⟧"
        f"依法处以罚款⟦200元|MONEY=20000⟧、记⟦6|X⟧分。驾驶人身份证号{i3}。",
        f"经营者⟦陈某某|LEGAL_REP:经营者⟧经营的⟦成都市锦江区老码头火锅店|PARTY:individual_business⟧"
        f"（统一社会信用代码{u3}），后厨使用回收油，被⟦成都市锦江区市场监督管理局|AGENCY⟧查获，"
        f"没收违法所得⟦人民币肆仟伍佰元整|MONEY=450000⟧。",
        f"⟦广州市天河区城市管理和综合执法局|AGENCY⟧查明：⟦广州市天河区某某装饰工程有限公司|PARTY:organization⟧"
        f"于⟦2025年4月|DATE=2025-04⟧在⟦天河区体育西路103号|PLACE⟧装修施工时未采取防尘措施。该公司统一社会信用代码"
        f"{u4}，法定代表人⟦冯子轩|LEGAL_REP:法定代表人⟧。",
        "⟦2025年1月6日|DATE=2025-01-06⟧，⟦沪A·D21388|PLATE=沪AD21388⟧号车辆驾驶人⟦赵某|PARTY:individual⟧在"
        "⟦上海市黄浦区南京东路|PLACE⟧违停，⟦上海市公安局黄浦分局|AGENCY⟧处以罚款⟦¥200.00|MONEY=20000⟧。",
        f"涉案人员⟦周某|PARTY:individual⟧（身份证号码：{i4}）于⟦当天|DATE=2025-03-08⟧被带至派出所接受询问。"
        f"此前，⟦2025年3月8日|DATE=2025-03-08⟧凌晨，周某在小区内偷盗电动车电池。",
        f"⟦江苏省南京市玄武区生态环境局|AGENCY⟧于⟦2023年12月5日|DATE=2023-12-05⟧对⟦南京宏达化工有限公司|PARTY:organization⟧"
        f"（统一社会信用代码{u5}）开展检查，发现其危险废物贮存场所未设置识别标志。该公司地址：⟦南京市玄武区龙蟠路88号|ADDRESS:other⟧，"
        f"法定代表人：⟦钟国强|LEGAL_REP:法定代表人⟧，联系电话：⟦025-84561234|PHONE=02584561234⟧。",
        "⟦2024年10月2日|DATE=2024-10-02⟧⟦15时许|TIME=15:00~⟧，⟦武汉市江汉区消防救援大队|AGENCY⟧在检查"
        "⟦武汉市江汉区金沙大酒店|PARTY:individual_business⟧时发现，该店消防安全出口被锁闭。经营者：⟦胡雨婷|LEGAL_REP:经营者⟧，"
        "经营场所：⟦武汉市江汉区解放大道688号|ADDRESS:business_premises⟧。",
        f"案由：未取得道路运输经营许可擅自从事经营。当事人：⟦李建军|PARTY:individual⟧，⟦1979年2月28日|DATE=1979-02-28⟧生，"
        f"身份证号：{i1}，车辆号牌：⟦粤B·3F7K2|PLATE=粤B3F7K2⟧，⟦2025年5月20日|DATE=2025-05-20⟧在"
        f"⟦深圳市宝安区宝安国际机场附近|PLACE⟧非法营运，收取车费⟦150元|MONEY=15000⟧。",
        f"⟦重庆市渝中区应急管理局|AGENCY⟧执法人员于⟦二〇二五年四月八日|DATE=2025-04-08⟧对"
        f"⟦重庆远航仓储服务有限公司|PARTY:organization⟧（统一社会信用代码：{u6}；主要负责人：⟦林志远|LEGAL_REP:负责人⟧）"
        f"的仓库进行检查，发现叉车司机无证上岗，拟处罚款⟦一万元|MONEY=1000000⟧。",
        "⟦2025年7月12日|DATE=2025-07-12⟧⟦下午5点半|TIME=17:30⟧，⟦南岸区城市管理局|AGENCY⟧接市民"
        "⟦唐某|X⟧举报，⟦南岸区南坪正街188号附近|PLACE⟧一烧烤摊夜间占道经营。摊主⟦何某某|PARTY:individual⟧，"
        "手机号码⟦15823456789|PHONE=15823456789⟧。",
        "纳税人名称：⟦重庆市沙坪坝区德顺五金经营部|PARTY:individual_business⟧，经营者：⟦罗德顺|LEGAL_REP:经营者⟧，"
        "⟦2023年1月|DATE=2023-01⟧至⟦2024年6月|DATE=2024-06⟧期间取得经营收入⟦48.6万元|MONEY=48600000⟧，未按期申报。",
        "⟦国家税务总局上海市浦东新区税务局|AGENCY⟧对⟦上海鑫诚贸易有限公司|PARTY:organization⟧作出处罚，罚款"
        "⟦¥2,000.00|MONEY=200000⟧。该公司住所地⟦上海市浦东新区世纪大道1000号12层|ADDRESS:domicile⟧。",
        f"当事人⟦王小明|PARTY:individual⟧（男，身份证号{i7}）系外卖骑手，于⟦2025/8/8|DATE=2025-08-08⟧ ⟦12:10|TIME=12:10⟧"
        f"驾驶电动自行车在⟦渝北区新南路|PLACE⟧逆行，被处警告。",
        "⟦2025年9月1日|DATE=2025-09-01⟧，⟦重庆市江北区住房和城乡建设委员会|AGENCY⟧检查发现，"
        "⟦重庆瑞丰建筑劳务有限公司|PARTY:organization⟧在⟦江北区观音桥街道建新东路|PLACE⟧施工现场未按规定设置围挡，"
        "⟦次日|DATE=2025-09-02⟧下达整改通知。",
        "⟦北碚区市场监督管理局|AGENCY⟧收到举报称，⟦北碚区天生路|PLACE⟧一家药房销售过期药品。经查，"
        "该药房为⟦重庆北碚康健大药房有限公司|PARTY:organization⟧，负责人⟦段某|LEGAL_REP:负责人⟧，"
        "涉案药品货值金额⟦680元|MONEY=68000⟧。",
        f"⟦重庆市公安局江北区分局|AGENCY⟧查明：⟦2025年1月1日|DATE=2025-01-01⟧⟦0时10分许|TIME=00:10~⟧，"
        f"⟦江北区北城天街|PLACE⟧发生一起打架斗殴事件，参与人⟦向某|PARTY:individual⟧（身份证号码{i5}）、"
        f"⟦贺某|PARTY:individual⟧（身份证号码{i6}）。",
        "⟦重庆市永川区人民政府|AGENCY⟧责令⟦永川区万家乐宾馆|PARTY:individual_business⟧停业整顿，该宾馆经营者"
        "⟦邱某|LEGAL_REP:经营者⟧于⟦2024年12月12日|DATE=2024-12-12⟧签收决定书。",
        "⟦2024年3月15日|DATE=2024-03-15⟧，⟦重庆市大渡口区生态环境局|AGENCY⟧执法人员会同⟦大渡口区城市管理局|AGENCY⟧"
        "对⟦重庆钢城再生资源回收有限公司|PARTY:organization⟧进行联合检查，发现其露天堆放废旧电池约"
        "⟦3|X⟧吨，随即于⟦当日|DATE=2024-03-15⟧立案。",
        "车辆所有人：⟦重庆渝运出租汽车有限公司|PARTY:organization⟧；号牌号码：⟦渝A·T6215|PLATE=渝AT6215⟧；"
        "违法时间：⟦2025年2月2日|DATE=2025-02-02⟧⟦18时05分|TIME=18:05⟧；违法地点：⟦渝中区两路口|PLACE⟧；"
        "违法行为：不按规定使用出租汽车计价器。",
        "⟦2025年5月9日|DATE=2025-05-09⟧，⟦巴南区应急管理局|AGENCY⟧检查发现"
        "⟦重庆巴南宏兴五金加工厂|PARTY:organization⟧（投资人：⟦夏某某|LEGAL_REP:经营者⟧）使用国家明令淘汰的冲床设备，"
        "没收设备并处罚款⟦二万元|MONEY=2000000⟧。",
        "⟦2024年6月|DATE=2024-06⟧以来，当事人⟦吴某某|PARTY:individual⟧在⟦九龙坡区西郊路36号附5号|PLACE⟧"
        "无证经营废品收购站。⟦2024年9月20日|DATE=2024-09-20⟧，⟦九龙坡区城市管理局|AGENCY⟧执法人员依法查处。",
        "⟦重庆市涪陵区卫生健康委员会|AGENCY⟧于⟦2025年3月18日|DATE=2025-03-18⟧对⟦涪陵区惠民口腔诊所|PARTY:individual_business⟧"
        "进行监督检查，发现该诊所使用未取得医师资格的人员从事诊疗活动，诊所负责人⟦邹晓燕|LEGAL_REP:负责人⟧。",
        "⟦2025年4月2日|DATE=2025-04-02⟧⟦14时|TIME=14:00⟧，一辆⟦川A12345|PLATE=川A12345⟧号货车在⟦合川区钓鱼城大道|PLACE⟧"
        "撒漏砂石，驾驶员⟦孟某|PARTY:individual⟧当场承认违法事实。",
        "⟦重庆市璧山区市场监督管理局|AGENCY⟧查明，⟦璧山区青杠街道幸福社区|X⟧居民⟦柏某|PARTY:individual⟧于"
        "⟦2025年8月|DATE=2025-08⟧通过微信朋友圈销售自制腊肉，共获利⟦1,260元|MONEY=126000⟧。",
        f"⟦重庆市民政局|AGENCY⟧查明，⟦重庆市渝中区某某养老服务中心|PARTY:organization⟧（民办非企业单位，统一社会信用代码：{u7}）"
        f"未按规定办理变更登记，其法定代表人为⟦田桂英|LEGAL_REP:法定代表人⟧。",
        "⟦2025年10月8日|DATE=2025-10-08⟧，⟦渝中区市场监督管理局|AGENCY⟧接到⟦12315|X⟧平台转来投诉：消费者于"
        "⟦2025年10月1日|DATE=2025-10-01⟧在⟦重庆解放碑百货有限公司|PARTY:organization⟧购买的羽绒服含绒量不符合标示，"
        "售价⟦1299元|MONEY=129900⟧。",
        "当事人：⟦孙丽|PARTY:individual⟧，女，汉族，现住⟦重庆市南岸区南坪西路8号5-3|ADDRESS:domicile⟧。"
        "当事人于⟦二零二五年二月十日|DATE=2025-02-10⟧⟦晚上9时许|TIME=21:00~⟧在⟦南岸区南滨路|PLACE⟧燃放孔明灯。",
        f"⟦重庆市江津区交通运输委员会|AGENCY⟧查获⟦贵C·58236|PLATE=贵C58236⟧号客车未按核定线路运营，车属"
        f"⟦贵州遵义顺风客运有限公司|PARTY:organization⟧，驾驶员⟦袁某|PARTY:individual⟧（身份证号{i9}）。",
        "⟦2025年6月18日|DATE=2025-06-18⟧，执法人员在⟦长寿区桃花大道66号|PLACE⟧发现⟦长寿区桃花便利店|PARTY:individual_business⟧"
        "向未成年人出售香烟。该店统一社会信用代码⟦92500115MA5YH0123Q|USCC=bad_check_char⟧。",
    ]


def fresh2_items(g: Gen) -> list[str]:
    """Round 2, written after the round-1 fixes and never tuned on: officer shorthand, 笔录 and 审批表 styles."""
    j1, _, _ = g.id_number(None, sex="男", birth=date(1993, 9, 9))
    j2, _, _ = g.id_number(None, sex="女", bad="check")
    j3, _, _ = g.id_number(None, sex="男")
    j4, _, _ = g.id_number(None, sex="女", bad="date")
    v1, v2, v3 = g.uscc(), g.uscc(org_type="92"), g.uscc(bad="length")
    return [
        f"问：你的基本情况？答：我叫⟦杜海峰|PARTY:individual⟧，男，身份证号{j1}，住⟦重庆市渝北区双龙大道208号|ADDRESS:domicile⟧，"
        f"电话⟦18623001234|PHONE=18623001234⟧。",
        "立案审批表 案由：涉嫌销售不符合食品安全标准的食品 当事人：⟦重庆市江北区好邻居超市有限公司|PARTY:organization⟧ "
        "法定代表人：⟦许志强|LEGAL_REP:法定代表人⟧ 案件来源：投诉举报 受案时间：⟦2025.04.03|DATE=2025-04-03⟧",
        "⟦3月12日|DATE=None⟧巡查发现⟦沙坪坝区汉渝路|PLACE⟧有人占道卖菜，当事人⟦谢某|PARTY:individual⟧拒不配合。",
        f"⟦2025年5月17日|DATE=2025-05-17⟧，我大队民警在⟦G85银昆高速|X⟧执勤时查获⟦渝B·N6231|PLATE=渝BN6231⟧号大型客车超员，"
        f"核载⟦35|X⟧人实载⟦41|X⟧人，驾驶人⟦付某某|PARTY:individual⟧（身份证号码{j2}）。",
        f"被检查单位：⟦重庆两江新区智造科技有限公司|PARTY:organization⟧  统一社会信用代码：{v1}  地址："
        f"⟦重庆市渝北区金开大道1号|ADDRESS:other⟧  检查时间：⟦2024年11月20日|DATE=2024-11-20⟧⟦9:30|TIME=09:30⟧",
        "⟦渝中区城市管理局|AGENCY⟧：⟦2025年7月7日|DATE=2025-07-07⟧⟦傍晚7时许|TIME=19:00~⟧，接群众举报"
        "⟦渝中区大坪正街19号|PLACE⟧餐馆油烟扰民。经查，该餐馆名为⟦渝中区大坪老火锅店|PARTY:individual_business⟧，"
        "经营者⟦莫某某|LEGAL_REP:经营者⟧。",
        f"当事人⟦谭某|PARTY:individual⟧（女，身份证号码：{j4}）于⟦2025年2月|DATE=2025-02⟧起在自家车库内加工豆腐销售，"
        f"累计销售额约⟦8000元|MONEY=800000⟧。",
        f"⟦重庆市九龙坡区市场监督管理局|AGENCY⟧于⟦二〇二五年一月八日|DATE=2025-01-08⟧作出行政处罚决定，对"
        f"⟦九龙坡区谢家湾阿强烟酒店|PARTY:individual_business⟧（统一社会信用代码：{v2}）罚款⟦5000元|MONEY=500000⟧。",
        "⟦2024年12月24日|DATE=2024-12-24⟧夜，⟦巴南区鱼洞街道新市街|PLACE⟧一小区发生火灾，起火原因为租户⟦龙某|PARTY:individual⟧"
        "违规使用电器，⟦巴南区消防救援支队|AGENCY⟧于⟦12月26日|DATE=2024-12-26⟧立案调查。",
        f"当事人⟦重庆金穗粮油贸易有限公司|PARTY:organization⟧，统一社会信用代码：{v3}（当事人提供的营业执照复印件与此一致），"
        f"法定代表人⟦卢建国|LEGAL_REP:法定代表人⟧。",
        "⟦2025年8月30日|DATE=2025-08-30⟧⟦16时45分|TIME=16:45⟧，⟦贵A·Q7D21|PLATE=贵AQ7D21⟧号轻型货车在"
        "⟦南岸区学府大道|PLACE⟧违反禁令标志指示，驾驶人⟦田某|PARTY:individual⟧，处罚款⟦100元|MONEY=10000⟧。",
        "⟦江津区生态环境局|AGENCY⟧现场监测发现，⟦重庆江津鑫达建材有限公司|PARTY:organization⟧厂界噪声夜间超标"
        "⟦6.3|X⟧分贝。企业联系人⟦汤某|X⟧，电话⟦023-47521234|PHONE=02347521234⟧。",
        f"违法嫌疑人⟦王某某|PARTY:individual⟧，男，⟦1993年9月9日|DATE=1993-09-09⟧出生，身份证号码：{j1}，"
        f"于⟦2025年6月1日|DATE=2025-06-01⟧⟦20时许|TIME=20:00~⟧在⟦渝北区红锦大道|PLACE⟧一KTV包房内吸食毒品。",
        "⟦2025/3/3|DATE=2025-03-03⟧ ⟦10:15|TIME=10:15⟧ 执法人员对⟦璧山区东林大道88号|PLACE⟧工地检查，发现"
        "⟦重庆璧山建工集团有限公司|PARTY:organization⟧未对裸土进行覆盖。项目负责人⟦唐某某|X⟧在场。",
        "经查明，⟦重庆市南岸区某某口腔门诊部|PARTY:organization⟧（负责人：⟦左明|LEGAL_REP:负责人⟧）发布未经审查的医疗广告，"
        "广告费⟦1.8万元|MONEY=1800000⟧。",
        f"⟦重庆市公安局渝北区分局两路派出所|AGENCY⟧于⟦2025年4月4日|DATE=2025-04-04⟧查获⟦渝北区两路街道|X⟧居民"
        f"⟦简某|PARTY:individual⟧（身份证号{j3}）饲养烈性犬未办理登记。",
        "车辆所有人⟦重庆顺通货运有限公司|PARTY:organization⟧所属⟦渝D·83521|PLATE=渝D83521⟧号重型自卸货车，于"
        "⟦二〇二四年九月九日|DATE=2024-09-09⟧⟦凌晨2时许|TIME=02:00~⟧在⟦涪陵区太极大道|PLACE⟧闯禁行。",
        "经营者⟦蒋某|LEGAL_REP:经营者⟧在⟦永川区人民大道|X⟧开设的⟦永川区蒋记五金店|PARTY:individual_business⟧"
        "销售无合格证的电线，违法所得⟦860元|MONEY=86000⟧。",
    ]


def parse_marked(marked: str) -> tuple[str, list[dict]]:
    """Strip ``⟦surface|LABEL:sub=value⟧`` markup; return plain text and gold spans with values."""
    out: list[str] = []
    spans: list[dict] = []
    pos = 0
    last = 0
    for m in MARK.finditer(marked):
        out.append(marked[last:m.start()])
        pos += m.start() - last
        surface, label, sub, value = m.group(1), m.group(2), m.group(3), m.group(4)
        last = m.end()
        out.append(surface)
        start, end = pos, pos + len(surface)
        pos = end
        if label == "X":  # numbers that are not entities; the markup just documents that on purpose
            continue
        spans.append({"label": label, "start": start, "end": end, "text": surface, "value": _gold_value(label, sub, value)})
    out.append(marked[last:])
    text = "".join(out)
    assert "⟦" not in text and "⟧" not in text, text
    for s in spans:
        assert text[s["start"]:s["end"]] == s["text"]
    return text, spans


def _gold_value(label: str, sub: str | None, value: str | None) -> dict:
    if label == "PARTY":
        return {"kind": sub}
    if label == "LEGAL_REP":
        return {"role": sub}
    if label == "ADDRESS":
        return {"kind": sub}
    if label in ("USCC", "ID_CARD"):
        return {"valid": value == "ok", "reason": None if value == "ok" else value}
    if label in ("PLATE", "PHONE"):
        return {"normalized": value}
    if label == "DATE":
        return {"iso": None if value == "None" else value}
    if label == "TIME":
        return {"iso": (value or "").rstrip("~"), "approximate": (value or "").endswith("~")}
    if label == "MONEY":
        return {"fen": int(value or 0)}
    return {}


def build(n_per_template: int, seed: int) -> list[dict]:
    """All records: template instances and hand-written items, each with a dev/test split."""
    rng = random.Random(seed)
    g = Gen(rng)
    records: list[dict] = []
    # Whole templates are held out: odd-numbered templates go to test, so test measures unseen phrasings.
    for tid, domain, fn in TEMPLATES:
        split = "test" if int(tid[1:]) % 2 else "dev"
        for i in range(n_per_template):
            g.new_record()
            text, spans = parse_marked(fn(g))
            records.append({"id": f"{tid}-{i}", "domain": domain, "split": split, "source": f"template {tid}",
                            "text": text, "spans": spans})
    for i, marked in enumerate(hand_items(g)):
        text, spans = parse_marked(marked)
        records.append({"id": f"H{i:02d}", "domain": "mixed", "split": "test" if i % 2 else "dev",
                        "source": "hand-written", "text": text, "spans": spans})
    for i, marked in enumerate(fresh_items(g)):
        text, spans = parse_marked(marked)
        records.append({"id": f"F{i:02d}", "domain": "mixed", "split": "fresh",
                        "source": "hand-written after the rules were frozen; never tuned on", "text": text,
                        "spans": spans})
    for i, marked in enumerate(fresh2_items(g)):
        text, spans = parse_marked(marked)
        records.append({"id": f"G{i:02d}", "domain": "mixed", "split": "fresh2",
                        "source": "hand-written after the round-1 fixes; never tuned on", "text": text,
                        "spans": spans})
    return records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--out", type=Path, default=ROOT / "eval" / "entities.jsonl")
    ap.add_argument("-n", type=int, default=4, help="instances per template")
    ap.add_argument("--seed", type=int, default=20250305)
    args = ap.parse_args()
    records = build(args.n, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    by = {}
    for r in records:
        by[r["split"]] = by.get(r["split"], 0) + 1
    print(f"wrote {len(records)} records to {args.out} ({by})")


if __name__ == "__main__":
    main()
