//! The score's risk bands: the bureau's published cut-offs of the 0..1000 scale.

use serde::{Deserialize, Serialize};

/// Risk bands of the score, as the bureau's published cut-offs (defaulters per 100 in 6
/// months: > 718: 2–5, 619–717: 6–12, 526–618: 15–23, 375–525: 28–43, < 375: ~93).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskBand {
    VeryLow,
    Low,
    Medium,
    High,
    VeryHigh,
}

impl RiskBand {
    /// Every band, lowest risk first.
    pub const ALL: [Self; 5] = [
        Self::VeryLow,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::VeryHigh,
    ];

    pub fn of(score: u32) -> Self {
        match score {
            719.. => Self::VeryLow,
            619..=718 => Self::Low,
            526..=618 => Self::Medium,
            375..=525 => Self::High,
            _ => Self::VeryHigh,
        }
    }

    /// The band's name in models (`very_low` … `very_high`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VeryLow => "very_low",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::VeryHigh => "very_high",
        }
    }

    /// The band named `name` (as [`Self::as_str`] spells it).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|band| band.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_bureau_cut_offs() {
        assert_eq!(RiskBand::of(1000), RiskBand::VeryLow);
        assert_eq!(RiskBand::of(719), RiskBand::VeryLow);
        assert_eq!(RiskBand::of(718), RiskBand::Low);
        assert_eq!(RiskBand::of(619), RiskBand::Low);
        assert_eq!(RiskBand::of(618), RiskBand::Medium);
        assert_eq!(RiskBand::of(526), RiskBand::Medium);
        assert_eq!(RiskBand::of(525), RiskBand::High);
        assert_eq!(RiskBand::of(375), RiskBand::High);
        assert_eq!(RiskBand::of(374), RiskBand::VeryHigh);
        assert_eq!(RiskBand::of(0), RiskBand::VeryHigh);
    }

    #[test]
    fn bands_read_back_by_name() {
        for band in RiskBand::ALL {
            assert_eq!(RiskBand::parse(band.as_str()), Some(band));
        }
        assert_eq!(RiskBand::parse("VeryLow"), None);
    }
}
