//! Where a finding is: a file range, a package, an image, a URL or a cloud resource.
//!
//! A finding may have several parts at once (a vulnerable package inside an image, declared in
//! a lockfile), so [`Location`] is a set of optional parts rather than a choice of one.

use serde::{Deserialize, Serialize};

/// The places a finding points to. Empty parts are omitted from JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// A file and a line range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileLocation>,
    /// A package and version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageLocation>,
    /// A container image and layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageLocation>,
    /// A URL, method and parameter of a running application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<WebLocation>,
    /// A cloud resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CloudLocation>,
}

impl Location {
    /// A location that is only a file path and an optional line.
    pub fn file(path: impl Into<String>, line: Option<u32>) -> Location {
        Location {
            file: Some(FileLocation::new(path, line)),
            ..Location::default()
        }
    }

    /// Whether no part is set.
    pub fn is_empty(&self) -> bool {
        self.file.is_none()
            && self.package.is_none()
            && self.image.is_none()
            && self.web.is_none()
            && self.cloud.is_none()
    }
}

/// A range in a file. Lines and columns are 1-based.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileLocation {
    /// The path as the tool reported it, with `/` separators.
    pub path: String,
    /// First line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u32>,
    /// Last line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// First column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    /// Last column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    /// The code at the location, when the tool gives it (secrets masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

impl FileLocation {
    /// A path with an optional start line; a line of 0 is treated as unknown.
    pub fn new(path: impl Into<String>, line: Option<u32>) -> FileLocation {
        FileLocation {
            path: path.into(),
            start_line: line.filter(|l| *l > 0),
            ..FileLocation::default()
        }
    }
}

/// A package at a version, as dependency and container scanners report them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PackageLocation {
    /// The package name as the ecosystem writes it.
    pub name: String,
    /// The installed version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The ecosystem (`npm`, `PyPI`, `Maven`, `deb`, `apk` …) as far as the tool says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    /// The package URL, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The version(s) that fix the issue, as the tool wrote them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
}

/// A container image, and the layer that introduced the issue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageLocation {
    /// The image reference (`alpine:3.18`, a tarball name …).
    pub name: String,
    /// The image digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The layer digest or diff id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// The operating system of the image (`debian 11.2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
}

/// A place in a running web application.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WebLocation {
    /// The URL (or host:port for network services).
    pub url: String,
    /// The HTTP method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The vulnerable parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// A resource in a cloud account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CloudLocation {
    /// The resource id or ARN.
    pub resource_id: String,
    /// The resource type (`AwsS3Bucket`, `AwsEc2Instance` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// The provider (`aws`, `azure`, `gcp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The account or subscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}
