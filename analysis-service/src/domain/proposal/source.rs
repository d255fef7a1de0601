use super::{Channel, Invalid, Text};
use std::net::IpAddr;

/// Where and how the credit was sold.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    pub channel: Channel,
    /// Read back by serde's `IpAddr`, which is [`Source::parse_ip`]'s parser (`str::parse`).
    pub ip: Option<IpAddr>,
    pub session_id: Option<Text>,
}

impl Source {
    /// An IPv4 or IPv6 address; blank is absent.
    pub fn parse_ip(input: &str) -> Result<Option<IpAddr>, Invalid> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        input
            .parse()
            .map(Some)
            .map_err(|_| Invalid::Format("an IPv4 or IPv6 address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips_are_v4_or_v6() {
        assert!(matches!(Source::parse_ip("132.23.161.75"), Ok(Some(_))));
        assert!(matches!(Source::parse_ip("2001:db8::1"), Ok(Some(_))));
        assert_eq!(Source::parse_ip(""), Ok(None));
        assert!(Source::parse_ip("132.23.161.256").is_err());
    }
}
