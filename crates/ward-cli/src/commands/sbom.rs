//! `ward sbom`: a CycloneDX SBOM of the packages in a tree's lockfiles.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use ward_deps::sbom::{SbomOptions, SpecVersion};
use ward_export::time::UtcTime;

use crate::output;

/// Arguments of `ward sbom`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A folder (searched recursively, honouring .gitignore) or one lockfile.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// CycloneDX specification version.
    #[arg(long, default_value = "1.5", value_parser = ["1.5", "1.6"])]
    spec: String,
    /// Where to write the SBOM (default: stdout).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// `metadata.timestamp` (RFC 3339). Default: $SOURCE_DATE_EPOCH if set, else none, so
    /// the same tree gives the same bytes.
    #[arg(long, value_name = "TIME")]
    timestamp: Option<String>,
    /// No summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if !args.path.exists() {
        bail!("{}: no such file or folder", args.path.display());
    }
    let spec = SpecVersion::parse(&args.spec).context("--spec: 1.5 or 1.6")?;
    let timestamp = match &args.timestamp {
        Some(text) => Some(
            UtcTime::parse(text)
                .with_context(|| format!("--timestamp `{text}` is not an RFC 3339 time"))?
                .rfc3339(),
        ),
        None => match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(epoch) => {
                let seconds: i64 = epoch.trim().parse().with_context(|| {
                    format!("SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds")
                })?;
                Some(UtcTime::from_unix(seconds).rfc3339())
            }
            Err(_) => None,
        },
    };
    let options = SbomOptions {
        spec,
        timestamp,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let sbom = ward_deps::sbom::sbom(&args.path, &options);
    for warning in &sbom.warnings {
        output::warning(warning);
    }
    output::write_atomically(args.output.as_deref(), |out| {
        sbom.write_json(&mut *out, true)
            .context("writing the SBOM")?;
        out.write_all(b"\n").context("writing the SBOM")?;
        Ok(())
    })?;
    if !args.quiet && output::stderr_is_terminal() {
        output::note(&format!(
            "{} components from {} lockfiles",
            sbom.n_components, sbom.n_lockfiles
        ));
    }
    Ok(ExitCode::SUCCESS)
}
