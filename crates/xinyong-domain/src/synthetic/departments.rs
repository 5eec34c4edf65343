//! The demo's departments: what each submits, the lists it manages, and the decisions it
//! makes, so that a record's fields hang together and belong to the department behind it.

/// One demo department and the categories it submits.
pub(super) struct DepartmentSpec {
    pub suffix: &'static str,
    pub categories: &'static [&'static str],
    pub lists: &'static [&'static str],
    /// Professions whose people in role the department registers.
    pub professions: &'static [&'static str],
    /// What the department decides, so that a record's fields hang together and belong to
    /// the department that submits it (a tax bureau's penalty is about tax, a licence's
    /// content is a licence).
    pub scenarios: &'static [Scenario],
}

/// The fields of one kind of decision of a category, taken together.
pub(super) struct Scenario {
    pub category: &'static str,
    pub fields: &'static [(&'static str, &'static str)],
}

const fn penalty(fields: &'static [(&'static str, &'static str)]) -> Scenario {
    Scenario {
        category: "admin_penalty",
        fields,
    }
}

const fn licence(fields: &'static [(&'static str, &'static str)]) -> Scenario {
    Scenario {
        category: "admin_license",
        fields,
    }
}

pub(super) const DEPARTMENTS: &[DepartmentSpec] = &[
    DepartmentSpec {
        suffix: "市场监督管理局",
        categories: &[
            "registration",
            "commitment_breach",
            "admin_license",
            "admin_penalty",
            "abnormal_operation",
            "credit_commitment",
            "honour",
        ],
        lists: &["abnormal_operation"],
        professions: &[],
        scenarios: &[
            penalty(&[
                ("violation_type", "食品安全"),
                ("facts", "销售不符合食品安全标准的食品"),
                ("penalty_kind", "罚款"),
                ("content", "没收违法所得并处罚款人民币贰万元"),
                ("revoked_licence", ""),
            ]),
            penalty(&[
                ("violation_type", "广告监管"),
                ("facts", "发布虚假违法广告"),
                ("penalty_kind", "罚款"),
                ("content", "责令停止发布并处罚款人民币五万元"),
                ("revoked_licence", ""),
            ]),
            penalty(&[
                ("violation_type", "企业信息公示"),
                ("facts", "未按规定公示年度报告"),
                ("penalty_kind", "警告"),
                ("content", "警告并责令改正"),
                ("revoked_licence", ""),
            ]),
            licence(&[
                ("license_category", "普通"),
                ("certificate_name", "食品经营许可证"),
                ("content", "食品经营许可（预包装食品销售）"),
            ]),
        ],
    },
    DepartmentSpec {
        suffix: "税务局",
        categories: &[
            "tax_violation",
            "tax_credit_rating",
            "red_a_taxpayer",
            "admin_penalty",
            "credit_commitment",
        ],
        lists: &["tax_serious", "red_a_taxpayer"],
        professions: &[],
        scenarios: &[penalty(&[
            ("violation_type", "税收征管"),
            ("facts", "未按规定期限办理纳税申报和报送纳税资料"),
            ("penalty_kind", "罚款"),
            ("content", "责令限期改正并处罚款人民币二千元"),
            ("revoked_licence", ""),
        ])],
    },
    DepartmentSpec {
        suffix: "中级人民法院",
        categories: &["court_defaulter", "court_judgment"],
        lists: &["court_defaulter"],
        professions: &[],
        scenarios: &[],
    },
    DepartmentSpec {
        suffix: "生态环境局",
        categories: &["admin_license", "admin_penalty"],
        lists: &[],
        professions: &[],
        scenarios: &[
            penalty(&[
                ("violation_type", "环境保护"),
                ("facts", "未依法取得排污许可证排放污染物"),
                ("penalty_kind", "罚款"),
                ("content", "责令改正并处罚款人民币二十万元"),
                ("revoked_licence", ""),
            ]),
            licence(&[
                ("license_category", "普通"),
                ("certificate_name", "排污许可证"),
                ("content", "排污许可（简化管理）"),
            ]),
        ],
    },
    DepartmentSpec {
        suffix: "人力资源和社会保障局",
        categories: &[
            "social_insurance_arrears",
            "admin_penalty",
            "honour",
            "civil_servant_integrity",
        ],
        lists: &[],
        // Its own civil servants, whose integrity files it keeps.
        professions: &["civil_servant"],
        scenarios: &[penalty(&[
            ("violation_type", "劳动保障"),
            ("facts", "未按规定支付劳动者工资报酬"),
            ("penalty_kind", "罚款"),
            ("content", "责令限期支付并处罚款人民币一万元"),
            ("revoked_licence", ""),
        ])],
    },
    DepartmentSpec {
        suffix: "财政局",
        categories: &["procurement_serious"],
        lists: &["procurement_serious"],
        professions: &[],
        scenarios: &[],
    },
    DepartmentSpec {
        suffix: "住房和城乡建设局",
        categories: &[
            "admin_license",
            "admin_penalty",
            "honour",
            "credit_commitment",
        ],
        lists: &[],
        professions: &[],
        scenarios: &[
            penalty(&[
                ("violation_type", "建设工程质量"),
                ("facts", "在建设工程中使用不合格建筑材料"),
                ("penalty_kind", "罚款"),
                ("content", "责令改正并处工程合同价款百分之二的罚款"),
                ("revoked_licence", ""),
            ]),
            licence(&[
                ("license_category", "核准"),
                ("certificate_name", "建筑业企业资质证书"),
                ("content", "建筑工程施工总承包二级资质"),
            ]),
            licence(&[
                ("license_category", "普通"),
                ("certificate_name", "安全生产许可证"),
                ("content", "建筑施工企业安全生产许可"),
            ]),
        ],
    },
    // Last, so that the departments before it keep their codes.
    DepartmentSpec {
        suffix: "司法局",
        categories: &["professional_discipline"],
        lists: &[],
        professions: &["lawyer"],
        scenarios: &[],
    },
];
