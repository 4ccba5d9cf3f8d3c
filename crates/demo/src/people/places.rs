//! Addresses: the county's townships, their residential compounds and villages, and floor areas.

use super::rng::DemoRng;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DemoAddress {
    pub text: String,
    pub urban: bool,
    pub township: String,
    pub community: String,
}

/// Residential compound: (name, road, gate number, buildings, floors).
pub(super) type Compound = (&'static str, &'static str, u32, u32, u32);

pub(super) struct Township {
    pub(super) name: &'static str,
    /// Relative weight among urban draws (0 = no compounds).
    urban_weight: u32,
    compounds: &'static [Compound],
    villages: &'static [&'static str],
}

pub(super) const TOWNSHIPS: &[Township] = &[
    Township {
        name: "城关镇",
        urban_weight: 85,
        compounds: &[
            ("幸福里小区", "幸福路", 12, 14, 6),
            ("锦绣家园", "人民路", 88, 18, 11),
            ("翠湖花园", "滨河路", 36, 22, 18),
            ("阳光小区", "建设路", 105, 16, 6),
            ("金地名苑", "青禾大道", 200, 12, 26),
            ("府前小区", "府前街", 7, 8, 6),
            ("供电局家属院", "东风路", 45, 5, 6),
            ("自来水公司宿舍", "工业路", 23, 4, 5),
            ("纺织厂家属院", "工业路", 66, 9, 5),
            ("文华苑", "文化路", 18, 10, 11),
            ("书香门第", "文化路", 52, 8, 18),
            ("滨河一号", "滨河路", 1, 6, 26),
            ("御水湾", "滨河路", 120, 15, 18),
            ("新华小区", "新华街", 30, 12, 6),
            ("胜利小区", "胜利街", 15, 10, 6),
            ("东方花园", "东风路", 160, 20, 11),
            ("康居小区", "长安路", 77, 24, 6),
            ("长安嘉园", "长安路", 139, 14, 18),
            ("迎宾华府", "迎宾路", 9, 10, 26),
            ("南环小区", "南环路", 58, 18, 6),
            ("北关新村", "北关街", 21, 20, 5),
            ("和谐家园", "幸福路", 96, 16, 11),
            ("紫荆花园", "建设路", 210, 12, 18),
            ("丽景湾", "青禾大道", 318, 9, 26),
            ("盛世华庭", "青禾大道", 456, 16, 18),
            ("桂花苑", "人民路", 150, 8, 6),
            ("粮食局宿舍", "新华街", 64, 3, 5),
            ("教师新村", "文化路", 101, 11, 6),
            ("凤凰城", "迎宾路", 88, 28, 18),
            ("龙湖嘉苑", "南环路", 132, 13, 11),
            ("泰和园", "北关街", 47, 9, 6),
            ("怡馨园", "胜利街", 81, 7, 11),
            ("天成国际", "青禾大道", 588, 6, 26),
            ("鑫源小区", "工业路", 129, 10, 6),
        ],
        villages: &["东关村", "西关村", "南关村", "北坡村", "郭家庄村"],
    },
    Township {
        name: "柳泉镇",
        urban_weight: 15,
        compounds: &[
            ("柳泉花园", "柳泉大街", 26, 8, 6),
            ("泉福苑", "柳泉大街", 78, 6, 11),
            ("新市民小区", "兴业路", 15, 10, 6),
            ("商贸城小区", "兴业路", 60, 5, 6),
            ("镇政府家属院", "镇府路", 3, 3, 5),
            ("惠民安置小区", "镇府路", 40, 12, 11),
        ],
        villages: &["柳泉村", "上柳村", "下柳村", "泉头村", "大王庄村", "小王庄村", "沙河村"],
    },
    Township {
        name: "石桥镇",
        urban_weight: 0,
        compounds: &[],
        villages: &["石桥村", "前营村", "后营村", "李家堡村", "孙家洼村", "杨树沟村", "双井村", "白土岭村"],
    },
    Township {
        name: "双河镇",
        urban_weight: 0,
        compounds: &[],
        villages: &["双河村", "河东村", "河西村", "马家湾村", "刘家营村", "高庄村", "三里铺村", "五里铺村"],
    },
    Township {
        name: "杏林乡",
        urban_weight: 0,
        compounds: &[],
        villages: &["杏林村", "杏花村", "桃园村", "梨树坪村", "张家坡村", "赵家峪村", "前进村", "团结村"],
    },
    Township {
        name: "马坊镇",
        urban_weight: 0,
        compounds: &[],
        villages: &["马坊村", "东马坊村", "西马坊村", "陈家庄村", "吴家寨村", "周庄村", "黄土岗村", "青石村"],
    },
    Township {
        name: "南塘乡",
        urban_weight: 0,
        compounds: &[],
        villages: &["南塘村", "荷塘村", "莲花村", "徐家湾村", "新河村", "田家庄村", "胡家庄村", "大柳树村"],
    },
    Township {
        name: "红岭镇",
        urban_weight: 0,
        compounds: &[],
        villages: &["红岭村", "岭上村", "岭下村", "松树坪村", "石门村", "林场村", "何家沟村", "郑家庄村"],
    },
];

pub(super) const CN_NUM: &[&str] = &["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];

fn urban_township(rng: &mut DemoRng) -> &'static Township {
    let total: u64 = TOWNSHIPS.iter().map(|t| u64::from(t.urban_weight)).sum();
    let mut x = rng.below(total);
    for t in TOWNSHIPS {
        let w = u64::from(t.urban_weight);
        if x < w {
            return t;
        }
        x -= w;
    }
    unreachable!()
}

/// Pick a village uniformly over all villages; returns (township, village).
pub(super) fn any_village(rng: &mut DemoRng) -> (&'static str, &'static str) {
    let total: usize = TOWNSHIPS.iter().map(|t| t.villages.len()).sum();
    let mut x = rng.below(total as u64) as usize;
    for t in TOWNSHIPS {
        if x < t.villages.len() {
            return (t.name, t.villages[x]);
        }
        x -= t.villages.len();
    }
    unreachable!()
}

pub(super) fn any_compound(rng: &mut DemoRng) -> &'static Compound {
    let t = urban_township(rng);
    rng.pick(t.compounds)
}

/// Urban (about 65 %) compound flat or rural village house.
pub fn address(rng: &mut DemoRng) -> DemoAddress {
    if rng.chance(65) {
        let t = urban_township(rng);
        let &(compound, road, gate, buildings, floors) = rng.pick(t.compounds);
        let building = rng.range(1, buildings);
        let (units, doors) = if floors <= 7 { (4, 2) } else { (2, 4) };
        let unit = rng.range(1, units);
        let room = rng.range(1, floors) * 100 + rng.range(1, doors);
        DemoAddress {
            text: format!("{} {road} {gate} 号 {compound} {building} 幢 {unit} 单元 {room} 室", t.name),
            urban: true,
            township: t.name.to_string(),
            community: compound.to_string(),
        }
    } else {
        let (township, village) = any_village(rng);
        let group = rng.pick(CN_NUM);
        let house = rng.range(1, 68);
        DemoAddress {
            text: format!("{township} {village} {group}组 {house} 号"),
            urban: false,
            township: township.to_string(),
            community: village.to_string(),
        }
    }
}

/// Residential floor area: 45–180 m² urban, 80–260 m² rural, concentrated mid-range.
pub fn floor_area_m2(rng: &mut DemoRng, urban: bool) -> u32 {
    const URBAN: &[((u32, u32), u32)] =
        &[((45, 69), 14), ((70, 94), 30), ((95, 124), 32), ((125, 149), 16), ((150, 180), 8)];
    const RURAL: &[((u32, u32), u32)] =
        &[((80, 119), 14), ((120, 159), 30), ((160, 199), 31), ((200, 229), 15), ((230, 260), 10)];
    let &(lo, hi) = rng.weighted(if urban { URBAN } else { RURAL });
    rng.range(lo, hi)
}
