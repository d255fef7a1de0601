use aval_proto::usage::v1 as pb;

/// What a delivered answer was: what billing counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Product {
    ConsumerScore,
    LegalPersonAnalysis,
    NaturalPersonAnalysis,
}

impl Product {
    pub fn to_pb(self) -> pb::Product {
        match self {
            Self::ConsumerScore => pb::Product::ConsumerScore,
            Self::LegalPersonAnalysis => pb::Product::LegalPersonAnalysis,
            Self::NaturalPersonAnalysis => pb::Product::NaturalPersonAnalysis,
        }
    }

    /// `None` for `PRODUCT_UNSPECIFIED` or a number this build does not know.
    pub fn from_pb(value: i32) -> Option<Self> {
        match pb::Product::try_from(value).ok()? {
            pb::Product::ConsumerScore => Some(Self::ConsumerScore),
            pb::Product::LegalPersonAnalysis => Some(Self::LegalPersonAnalysis),
            pb::Product::NaturalPersonAnalysis => Some(Self::NaturalPersonAnalysis),
            pb::Product::Unspecified => None,
        }
    }
}
