//! Chinese personal names: weighted surnames and one- or two-character given names.

use super::rng::DemoRng;

/// Surnames with rough relative frequencies (per ~1000 people).
const SURNAMES: &[(&str, u32)] = &[
    ("王", 72),
    ("李", 71),
    ("张", 68),
    ("刘", 53),
    ("陈", 45),
    ("杨", 31),
    ("黄", 22),
    ("赵", 21),
    ("吴", 20),
    ("周", 19),
    ("徐", 15),
    ("孙", 15),
    ("马", 12),
    ("朱", 12),
    ("胡", 11),
    ("郭", 11),
    ("何", 10),
    ("高", 9),
    ("林", 9),
    ("罗", 9),
    ("郑", 8),
    ("梁", 8),
    ("谢", 6),
    ("宋", 6),
    ("唐", 6),
    ("许", 5),
    ("韩", 5),
    ("冯", 5),
    ("邓", 5),
    ("曹", 5),
    ("彭", 5),
    ("曾", 4),
    ("肖", 4),
    ("田", 4),
    ("董", 4),
    ("袁", 4),
    ("潘", 4),
    ("于", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("余", 3),
    ("杜", 3),
    ("叶", 3),
    ("程", 3),
    ("苏", 3),
    ("魏", 3),
    ("吕", 3),
    ("丁", 3),
    ("任", 3),
    ("沈", 3),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 2),
    ("钟", 2),
    ("谭", 2),
    ("陆", 2),
    ("汪", 2),
    ("范", 2),
    ("金", 2),
    ("石", 2),
    ("廖", 2),
    ("贾", 2),
    ("夏", 2),
    ("韦", 2),
    ("付", 2),
    ("方", 2),
    ("白", 2),
    ("邹", 2),
    ("孟", 2),
    ("熊", 2),
    ("秦", 2),
    ("邱", 2),
    ("江", 2),
    ("尹", 2),
    ("薛", 2),
    ("闫", 2),
    ("段", 2),
    ("雷", 1),
    ("侯", 1),
    ("龙", 1),
    ("史", 1),
    ("陶", 1),
    ("黎", 1),
    ("贺", 1),
    ("顾", 1),
    ("毛", 1),
    ("郝", 1),
    ("龚", 1),
    ("邵", 1),
    ("万", 1),
    ("武", 1),
    ("常", 1),
    ("乔", 1),
    ("牛", 1),
    ("申", 1),
    ("欧阳", 1),
    ("司马", 1),
];

const MALE_FIRST: &str = "建国志永海俊家文明晓子浩宇天立德振嘉泽一云春兴卫新金长洪庆鹏思雨晨";
const MALE_SECOND: &str = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩凯峰林龙东亮晨博轩昊阳然睿诚航彬鸣源森武锋成军";
const FEMALE_FIRST: &str = "秀丽美淑玉晓雅佳欣思雨梦诗若紫文春海静慧婉可一子嘉";
const FEMALE_SECOND: &str = "芳娜敏静丽艳娟霞燕玲婷慧琳雪倩颖洁萍红梅兰琴云莉欣怡悦彤瑶涵萱妍琪菲蕾薇";
const FEMALE_DOUBLED: &str = "婷丹莹璐佳楠";

pub(super) fn surname(rng: &mut DemoRng) -> &'static str {
    *rng.weighted(SURNAMES)
}

/// Realistic fictional Chinese full name (surname + 1 or 2 character given name).
pub fn person_name(rng: &mut DemoRng) -> String {
    let mut name = String::from(surname(rng));
    let female = rng.chance(50);
    let single = rng.chance(22);
    if female {
        if single {
            name.push(rng.pick_char(FEMALE_SECOND));
        } else if rng.chance(5) {
            let c = rng.pick_char(FEMALE_DOUBLED);
            name.push(c);
            name.push(c);
        } else {
            let a = rng.pick_char(FEMALE_FIRST);
            let mut b = rng.pick_char(FEMALE_SECOND);
            while b == a {
                b = rng.pick_char(FEMALE_SECOND);
            }
            name.push(a);
            name.push(b);
        }
    } else if single {
        name.push(rng.pick_char(MALE_SECOND));
    } else {
        let a = rng.pick_char(MALE_FIRST);
        let mut b = rng.pick_char(MALE_SECOND);
        while b == a {
            b = rng.pick_char(MALE_SECOND);
        }
        name.push(a);
        name.push(b);
    }
    name
}
