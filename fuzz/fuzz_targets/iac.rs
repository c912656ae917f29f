//! Fuzzes the IaC parsers and rules: the input's first byte picks the file type (Terraform,
//! CloudFormation YAML or JSON, Kubernetes, a plan, a Dockerfile, a compose file), the rest is
//! the file. Seed it with `tests/data/iac` (see `fuzz/README.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "main.tf",
    "template.yaml",
    "stack.template.json",
    "deploy.yaml",
    "plan.json",
    "Dockerfile",
    "docker-compose.yml",
];

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = NAMES[usize::from(*first) % NAMES.len()];
    let _ = ward_iac::scan_text(name, text);
});
