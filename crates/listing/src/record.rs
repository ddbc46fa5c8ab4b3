//! The clean, typed record a listing line becomes.

use serde::{Deserialize, Serialize};

/// One listing of a catalog page, parsed and normalised.
///
/// `title`/`snippet` keep the text as it is on the line (trimmed);
/// `title_norm`/`snippet_norm` are the forms to index and display: NFKC,
/// doubled fake-bold characters repaired, dot leaders and whitespace
/// collapsed. `raw` is the whole listing text (one half of the line) so
/// that nothing is lost when the title/snippet split is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// Stable content id: 32 lowercase hex digits (XXH3-128) over the
    /// normalised title and snippet, the page count and the size in bytes.
    /// Same listing → same id on every run and machine.
    pub id: String,
    /// Title as written on the line.
    pub title: String,
    /// Snippet as written on the line.
    pub snippet: String,
    /// Normalised title (what is indexed and shown).
    pub title_norm: String,
    /// Normalised snippet (what is indexed and shown).
    pub snippet_norm: String,
    /// The whole listing text (one copy), as on the line, trimmed.
    pub raw: String,
    /// Price in 码力 (the site's currency); 0 means free.
    pub price: u32,
    /// Page count.
    pub pages: u32,
    /// Size in bytes, 1024-based (`2.25 MB` → 2 359 296).
    pub size_bytes: u64,
    /// Size as written (`2.25 MB`).
    pub size_text: String,
    /// Age relative to the capture time.
    pub age: Age,
    /// Publication time: capture time minus the age (latest possible
    /// instant consistent with the age). `None` when no capture time is known.
    pub published: Option<jiff::Timestamp>,
    /// The integer glued after `前` (a site counter; meaning unknown).
    pub trailing: u64,
    /// Where the listing was read.
    pub source: Source,
}

/// An age as written on the page: `9 月前` → value 9, unit month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Age {
    /// The number.
    pub value: u32,
    /// The unit.
    pub unit: AgeUnit,
}

/// Units of [`Age`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgeUnit {
    /// 秒
    Second,
    /// 分钟
    Min,
    /// 小时
    Hour,
    /// 天
    Day,
    /// 周
    Week,
    /// 月 (taken as 30 days)
    Month,
    /// 年 (taken as 365 days)
    Year,
}

impl AgeUnit {
    /// Length of the unit in seconds (month = 30 days, year = 365 days).
    pub fn seconds(self) -> i64 {
        match self {
            AgeUnit::Second => 1,
            AgeUnit::Min => 60,
            AgeUnit::Hour => 3600,
            AgeUnit::Day => 86_400,
            AgeUnit::Week => 7 * 86_400,
            AgeUnit::Month => 30 * 86_400,
            AgeUnit::Year => 365 * 86_400,
        }
    }
}

/// File and 1-based line number a record came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Source {
    /// Path as given to the reader.
    pub file: String,
    /// 1-based line number.
    pub line: u64,
}
