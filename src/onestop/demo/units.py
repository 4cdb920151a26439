"""The organisation trees of the two seed documents' issuers, for the demo.

Tianjin: the municipal bureau with the directly subordinate corps that the 2021 measures name as
responsible units (tianjin-2021, 责任单位/牵头单位), plus a few district sub-bureaus and police
stations. Guangxi: the autonomous-region department with its corps and the 14 city bureaus
(guangxi-2018), each with a police station. Region codes are GB/T 2260.
"""

from __future__ import annotations

from typing import TypedDict


class UnitSpec(TypedDict, total=False):
    code: str
    name: str
    short_name: str
    kind: str
    region_code: str
    children: list[UnitSpec]
    address: str
    phone: str


def _corps(prefix: str, region: str, names: list[tuple[str, str]]) -> list[UnitSpec]:
    return [
        {"code": f"{prefix}-{code}", "name": name, "kind": "corps", "region_code": region}
        for code, name in names
    ]


TIANJIN_CORPS = [
    ("ZHZX", "指挥中心"),
    ("ZAZD", "治安管理总队"),
    ("JJZD", "交警总队"),
    ("CRJ", "出入境管理总队"),
    ("FZZD", "法制总队"),
    ("JZZD", "经侦总队"),
    ("WAZD", "网安总队"),
    ("KXZD", "科信总队"),
    ("RKZD", "人口管理总队"),
    ("NBZD", "内保总队"),
    ("JDZD", "禁毒总队"),
    ("DSZD", "督审总队"),
    ("XZZD", "刑侦总队"),
    ("TZJF", "图侦技防总队"),
    ("HSYZD", "环食药保卫总队"),
]

TIANJIN: UnitSpec = {
    "code": "TJ",
    "name": "天津市公安局",
    "short_name": "天津公安",
    "kind": "bureau",
    "region_code": "120000",
    "address": "天津市和平区唐山道26号",
    "phone": "022-12345678",
    "children": [
        *_corps("TJ", "120000", TIANJIN_CORPS),
        {
            "code": "TJ-BH",
            "name": "滨海新区公安局",
            "kind": "sub_bureau",
            "region_code": "120116",
            "children": [
                {
                    "code": "TJ-BH-TJJ",
                    "name": "泰达派出所",
                    "kind": "station",
                    "region_code": "120116",
                },
                {
                    "code": "TJ-BH-YJP",
                    "name": "于家堡派出所",
                    "kind": "station",
                    "region_code": "120116",
                },
            ],
        },
        {
            "code": "TJ-HP",
            "name": "和平分局",
            "kind": "sub_bureau",
            "region_code": "120101",
            "children": [
                {
                    "code": "TJ-HP-ZAZD",
                    "name": "和平分局治安支队",
                    "kind": "brigade",
                    "region_code": "120101",
                },
                {
                    "code": "TJ-HP-QYC",
                    "name": "劝业场派出所",
                    "kind": "station",
                    "region_code": "120101",
                },
                {
                    "code": "TJ-HP-XBL",
                    "name": "小白楼派出所",
                    "kind": "station",
                    "region_code": "120101",
                },
            ],
        },
        {
            "code": "TJ-HX",
            "name": "河西分局",
            "kind": "sub_bureau",
            "region_code": "120103",
            "children": [
                {
                    "code": "TJ-HX-YYL",
                    "name": "友谊路派出所",
                    "kind": "station",
                    "region_code": "120103",
                },
                {
                    "code": "TJ-HX-JSL",
                    "name": "挂甲寺派出所",
                    "kind": "station",
                    "region_code": "120103",
                },
            ],
        },
        {
            "code": "TJ-NK",
            "name": "南开分局",
            "kind": "sub_bureau",
            "region_code": "120104",
            "children": [
                {
                    "code": "TJ-NK-XHM",
                    "name": "学府派出所",
                    "kind": "station",
                    "region_code": "120104",
                },
            ],
        },
    ],
}

GUANGXI_CORPS = [
    ("ZAZD", "治安管理总队"),
    ("JJZD", "交通警察总队"),
    ("CRJ", "出入境管理局"),
    ("HZ", "户政管理处"),
    ("FZZD", "法制总队"),
    ("JZZD", "经济犯罪侦查总队"),
    ("WAZD", "网络安全保卫总队"),
    ("KXZD", "科技信息化总队"),
    ("JDZD", "禁毒总队"),
    ("ZHZX", "指挥中心"),
    # In 2018 fire services were still part of the public-security organs (guangxi-2018#21, #32,
    # #33 speak of 消防部门); they moved to emergency management later that year.
    ("XF", "消防总队"),
]

GUANGXI_CITIES = [
    ("NN", "南宁市公安局", "450100", "青秀分局", "450103", "新竹派出所"),
    ("LZ", "柳州市公安局", "450200", "城中分局", "450202", "公园派出所"),
    ("GL", "桂林市公安局", "450300", "秀峰分局", "450302", "丽君派出所"),
    ("WZ", "梧州市公安局", "450400", "万秀分局", "450403", "城中派出所"),
    ("BH", "北海市公安局", "450500", "海城分局", "450502", "中街派出所"),
    ("FCG", "防城港市公安局", "450600", "港口分局", "450602", "渔洲坪派出所"),
    ("QZ", "钦州市公安局", "450700", "钦南分局", "450702", "向阳派出所"),
    ("GG", "贵港市公安局", "450800", "港北分局", "450802", "贵城派出所"),
    ("YL", "玉林市公安局", "450900", "玉州分局", "450902", "玉城派出所"),
    ("BS", "百色市公安局", "451000", "右江分局", "451002", "百城派出所"),
    ("HZS", "贺州市公安局", "451100", "八步分局", "451102", "八步派出所"),
    ("HC", "河池市公安局", "451200", "金城江分局", "451202", "金城江派出所"),
    ("LB", "来宾市公安局", "451300", "兴宾分局", "451302", "城东派出所"),
    ("CZ", "崇左市公安局", "451400", "江州分局", "451402", "太平派出所"),
]


def _guangxi_city(
    code: str, name: str, region: str, district: str, district_region: str, station: str
) -> UnitSpec:
    return {
        "code": f"GX-{code}",
        "name": name,
        "kind": "sub_bureau",
        "region_code": region,
        "children": [
            {
                "code": f"GX-{code}-XF",
                "name": f"{name.removesuffix('公安局')}公安消防支队",
                "kind": "brigade",
                "region_code": region,
            },
            {
                "code": f"GX-{code}-D1",
                "name": f"{name.removesuffix('公安局')}公安局{district}",
                "short_name": district,
                "kind": "sub_bureau",
                "region_code": district_region,
                "children": [
                    {
                        "code": f"GX-{code}-D1-S1",
                        "name": station,
                        "kind": "station",
                        "region_code": district_region,
                    },
                ],
            },
        ],
    }


GUANGXI: UnitSpec = {
    "code": "GX",
    "name": "广西壮族自治区公安厅",
    "short_name": "广西公安",
    "kind": "bureau",
    "region_code": "450000",
    "address": "广西南宁市青秀区竹溪大道",
    "phone": "0771-1234567",
    "children": [
        *_corps("GX", "450000", GUANGXI_CORPS),
        *[_guangxi_city(*city) for city in GUANGXI_CITIES],
    ],
}

TREES = [TIANJIN, GUANGXI]
