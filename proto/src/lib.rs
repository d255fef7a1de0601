//! Aval's protobuf API. One module per package (`aval.<service>.v1`); generated at build
//! time from `proto/aval/**` by protox, so no system `protoc` is needed.
#![allow(clippy::all, clippy::pedantic, missing_docs)]

/// Encoded `FileDescriptorSet` of every Aval proto, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/aval_descriptor.bin"));

pub mod common {
    pub mod v1 {
        tonic::include_proto!("aval.common.v1");

        /// The analysis report's rows are the shared row, field for field.
        impl From<&crate::analysis::v1::PerformanceRow> for PerformanceRow {
            fn from(r: &crate::analysis::v1::PerformanceRow) -> Self {
                Self {
                    group: r.group.clone(),
                    count: r.count,
                    with_outcome: r.with_outcome,
                    share_with_outcome: r.share_with_outcome,
                    defaults: r.defaults,
                    default_rate: r.default_rate,
                }
            }
        }
    }
}

pub mod auth {
    pub mod v1 {
        tonic::include_proto!("aval.auth.v1");
    }
}

pub mod score {
    pub mod v1 {
        tonic::include_proto!("aval.score.v1");
    }
}

pub mod analysis {
    pub mod v1 {
        tonic::include_proto!("aval.analysis.v1");
    }
}

pub mod billing {
    pub mod v1 {
        tonic::include_proto!("aval.billing.v1");
    }
}

/// The keys that verify bearer tokens (served by auth-service).
pub mod keys {
    pub mod v1 {
        tonic::include_proto!("aval.keys.v1");
    }
}

/// Metering between the delivering services and billing.
pub mod usage {
    pub mod v1 {
        tonic::include_proto!("aval.usage.v1");
    }
}
