//! `ward db update`: downloads OSV's per-ecosystem exports (`{base}/{ecosystem}/all.zip`,
//! <https://google.github.io/osv.dev/data/#data-dumps>) into a [`Builder`].

use std::io::Read;
use std::time::Duration;

use crate::db::Builder;
use crate::Error;

/// OSV's public export bucket.
pub const DEFAULT_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// The ecosystems ward's lockfile readers produce packages for.
pub const DEFAULT_ECOSYSTEMS: &[&str] = &[
    "crates.io",
    "npm",
    "PyPI",
    "Go",
    "Maven",
    "RubyGems",
    "NuGet",
    "Packagist",
    "Pub",
    "Hex",
];

/// The largest export accepted (OSV's biggest, Debian, is far below).
const MAX_BYTES: u64 = 2 << 30;

/// Downloads `{base_url}/{ecosystem}/all.zip` for each ecosystem into `builder`. A failed
/// download or a broken zip is a warning naming the URL; the others still load. Returns the
/// number of ecosystems loaded.
pub fn download(
    builder: &mut Builder,
    base_url: &str,
    ecosystems: &[&str],
) -> Result<usize, Error> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(30))
        .timeout_read(Duration::from_secs(120))
        .build();
    let mut loaded = 0;
    for ecosystem in ecosystems {
        let url = format!(
            "{}/{}/all.zip",
            base_url.trim_end_matches('/'),
            ecosystem.replace(' ', "%20")
        );
        let response = match agent.get(&url).call() {
            Ok(response) => response,
            Err(e) => {
                builder
                    .warnings
                    .push(format!("{url}: download failed: {e}"));
                continue;
            }
        };
        let mut bytes = Vec::new();
        if let Err(e) = response
            .into_reader()
            .take(MAX_BYTES)
            .read_to_end(&mut bytes)
        {
            builder
                .warnings
                .push(format!("{url}: download failed: {e}"));
            continue;
        }
        match builder.add_zip(&url, std::io::Cursor::new(bytes)) {
            Ok(()) => {
                builder.add_source(&url);
                loaded += 1;
            }
            Err(e) => builder.warnings.push(e.to_string()),
        }
    }
    if loaded == 0 && !ecosystems.is_empty() {
        return Err(Error::Download(format!(
            "no ecosystem could be downloaded from {base_url}"
        )));
    }
    Ok(loaded)
}
