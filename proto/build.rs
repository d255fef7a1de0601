//! Compiles `aval/**/*.proto` with protox (pure Rust: no system `protoc`) and writes the
//! encoded descriptor set so that servers can offer gRPC reflection.

use prost::Message;
use std::{env, fs, path::PathBuf};

const PROTOS: &[&str] = &[
    "aval/common/v1/common.proto",
    "aval/auth/v1/auth.proto",
    "aval/score/v1/score.proto",
    "aval/score/v1/models.proto",
    "aval/score/v1/rights.proto",
    "aval/analysis/v1/analysis.proto",
    "aval/billing/v1/billing.proto",
    "aval/keys/v1/keys.proto",
    "aval/usage/v1/usage.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=aval");
    let descriptors = protox::compile(PROTOS, ["."])?;
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(
        out_dir.join("aval_descriptor.bin"),
        descriptors.encode_to_vec(),
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // Ordered maps encode deterministically, so a message's bytes can be hashed
        // (idempotency keys compare proposals by hash).
        .btree_map(".")
        .compile_fds(descriptors)?;
    Ok(())
}
