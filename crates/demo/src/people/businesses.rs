//! Names of non-residential customers: shops, restaurants, schools, factories.

use super::rng::DemoRng;
use super::texts::fill;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DemoBusiness {
    pub name: String,
}

pub(super) const BRANDS: &[&str] = &[
    "鑫隆",
    "福源",
    "金穗",
    "顺达",
    "宏泰",
    "华兴",
    "恒丰",
    "嘉禾",
    "瑞祥",
    "永安",
    "德顺",
    "佳美",
    "惠民",
    "春晖",
    "聚福",
    "兴旺",
    "天和",
    "益康",
    "百味",
    "好运来",
    "同心",
    "万家",
    "新月",
    "金桥",
    "富达",
    "广源",
    "盛丰",
    "一品",
    "香满园",
    "老地方",
    "丰泽",
    "利民",
];

/// Business name templates with weights; tokens are filled by [`fill`].
const BUSINESS_TEMPLATES: &[(&str, u32)] = &[
    ("{brand}饭店", 8),
    ("{brand}大酒店", 4),
    ("{brand}酒家", 3),
    ("{brand}家常菜馆", 4),
    ("{brand}面馆", 3),
    ("{brand}饺子馆", 2),
    ("{brand}火锅店", 3),
    ("{brand}烧烤店", 2),
    ("{brand}早餐店", 2),
    ("{brand}羊肉汤馆", 2),
    ("老{sur}家烩面馆", 2),
    ("{sur}记包子铺", 2),
    ("老{sur}家炖菜馆", 2),
    ("{brand}蛋糕房", 3),
    ("{brand}烘焙坊", 3),
    ("{brand}面包坊", 2),
    ("{brand}宾馆", 3),
    ("{brand}快捷酒店", 3),
    ("{town}{brand}招待所", 1),
    ("{brand}洗衣店", 2),
    ("{brand}干洗店", 2),
    ("{brand}洗浴中心", 2),
    ("{brand}浴池", 1),
    ("{county}第{ord}中学", 2),
    ("{county}实验小学", 1),
    ("{town}中心小学", 2),
    ("{town}中学", 1),
    ("{brand}幼儿园", 2),
    ("{county}职业技术学校", 1),
    ("{county}人民医院", 1),
    ("{county}中医院", 1),
    ("{county}妇幼保健院", 1),
    ("{town}卫生院", 2),
    ("{brand}口腔诊所", 1),
    ("{village}卫生室", 1),
    ("{cshort}{brand}食品有限公司", 3),
    ("{brand}机械厂", 2),
    ("{cshort}{brand}塑料制品有限公司", 2),
    ("{brand}建材厂", 2),
    ("{brand}纸箱厂", 1),
    ("{brand}服装厂", 1),
    ("{brand}豆制品厂", 2),
    ("{brand}超市", 4),
    ("{brand}洗车行", 2),
    ("{town}敬老院", 1),
    ("{brand}养殖场", 1),
    ("{brand}茶楼", 1),
    ("{brand}健身房", 1),
    ("{brand}汽修厂", 2),
];

/// Name of a fictional non-residential customer (restaurant, school, factory, …).
pub fn business_name(rng: &mut DemoRng) -> String {
    let t = *rng.weighted(BUSINESS_TEMPLATES);
    fill(rng, t, None)
}

/// Convenience wrapper around [`business_name`].
pub fn business(rng: &mut DemoRng) -> DemoBusiness {
    DemoBusiness { name: business_name(rng) }
}
