//! The fictional county, the utility group's name and numbers, and its departments.

/// Fictional county.
pub const COUNTY: &str = "青禾县";
/// Fictional county-owned multi-utility group.
pub const COMPANY_NAME: &str = "青禾县公用事业集团有限公司";
/// Telephone area code used for the county (fictional assignment).
pub const AREA_CODE: &str = "0356";
/// Fictional 24-hour service hotline.
pub const HOTLINE: &str = "0356-96177";

pub(super) const COUNTY_SHORT: &str = "青禾";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DepartmentSpec {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// "gas" | "water" | "heat" | "power", or None for group-wide departments.
    pub utility: Option<&'static str>,
}

const DEPARTMENTS: &[DepartmentSpec] = &[
    DepartmentSpec {
        code: "CSC",
        name_zh: "客户服务中心",
        name_en: "Customer Service Centre (Hotline & Service Hall)",
        utility: None,
    },
    DepartmentSpec {
        code: "GAS-OPS",
        name_zh: "燃气运行抢修部",
        name_en: "Gas Operations & Emergency Repair",
        utility: Some("gas"),
    },
    DepartmentSpec { code: "GAS-ENG", name_zh: "燃气工程部", name_en: "Gas Engineering", utility: Some("gas") },
    DepartmentSpec {
        code: "WATER-OPS",
        name_zh: "供水运行部",
        name_en: "Water Supply Operations",
        utility: Some("water"),
    },
    DepartmentSpec {
        code: "WATER-ENG", name_zh: "供水工程部", name_en: "Water Engineering", utility: Some("water")
    },
    DepartmentSpec {
        code: "HEAT-OPS",
        name_zh: "供热运行部",
        name_en: "District Heating Operations",
        utility: Some("heat"),
    },
    DepartmentSpec {
        code: "POWER-OPS",
        name_zh: "配电运维抢修部",
        name_en: "Power Distribution & Repair",
        utility: Some("power"),
    },
    DepartmentSpec { code: "METER-BILL", name_zh: "计量收费部", name_en: "Metering & Billing", utility: None },
    DepartmentSpec { code: "QS", name_zh: "质量监督部", name_en: "Quality Supervision", utility: None },
    DepartmentSpec {
        code: "GMO", name_zh: "综合管理办公室", name_en: "General Management Office", utility: None
    },
];

/// The group's departments, in a stable order with stable codes.
pub fn departments() -> &'static [DepartmentSpec] {
    DEPARTMENTS
}
