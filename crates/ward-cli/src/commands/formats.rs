//! `ward formats`: the supported input formats.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

/// Arguments of `ward formats`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let parsers = ward_formats::PARSERS;
    if args.json {
        let list: Vec<_> = parsers
            .iter()
            .map(|p| serde_json::json!({"id": p.id(), "name": p.name(), "scan_types": p.scan_types()}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows: Vec<(&str, &str, String)> = parsers
        .iter()
        .map(|p| (p.id(), p.name(), p.scan_types().join(", ")))
        .collect();
    rows.sort();
    let id_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(6);
    let name_width = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    println!(
        "{:id_width$}  {:name_width$}  DEFECTDOJO SCAN TYPE",
        "FORMAT", "TOOL"
    );
    for (id, name, scan_types) in rows {
        println!("{id:id_width$}  {name:name_width$}  {scan_types}");
    }
    Ok(ExitCode::SUCCESS)
}
