//! Medians, geometric means, ratios and the Markdown tables every benchmark prints.

use std::time::Duration;

pub fn median(values: &[f64]) -> f64 {
    assert!(!values.is_empty(), "median of nothing");
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let mid = v.len() / 2;
    if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 }
}

/// The median over repetitions of `a[i] / b[i]`: contenders measured back to back in the same
/// repetition share the machine's load at that moment, so their ratio is steadier than the
/// ratio of the medians on a busy machine.
pub fn paired_ratio(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "paired samples");
    median(&a.iter().zip(b).map(|(x, y)| x / y).collect::<Vec<_>>())
}

/// The median over repetitions of `a[i] - b[i]`.
pub fn paired_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "paired samples");
    median(&a.iter().zip(b).map(|(x, y)| x - y).collect::<Vec<_>>())
}

pub fn geomean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp()
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn fmt_ratio(r: f64) -> String {
    format!("{r:.2}")
}

/// A number with about three significant digits.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        "-".to_string()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// A table printed as Markdown (so it can go into docs/benchmarks.md as is).
pub struct Table {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    notes: Vec<String>,
}

impl Table {
    pub fn new(title: impl Into<String>, headers: &[&str]) -> Table {
        Table {
            title: title.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.headers.len(), "row width of table {}", self.title);
        self.rows.push(cells);
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub fn print(&self) {
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|c| self.rows.iter().map(|r| r[c].len()).chain([self.headers[c].len()]).max().unwrap_or(0))
            .collect();
        let line = |cells: &[String]| {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(
                    |(i, c)| if i == 0 { format!("{c:<w$}", w = widths[i]) } else { format!("{c:>w$}", w = widths[i]) },
                )
                .collect();
            format!("| {} |", parts.join(" | "))
        };
        println!("\n### {}\n", self.title);
        println!("{}", line(&self.headers));
        let sep: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { format!(":{}", "-".repeat(w + 1)) } else { format!("{}:", "-".repeat(w + 1)) })
            .collect();
        println!("|{}|", sep.join("|"));
        for r in &self.rows {
            println!("{}", line(r));
        }
        if !self.notes.is_empty() {
            println!();
            for n in &self.notes {
                println!("{n}");
            }
        }
    }
}

/// The 1-minute load average, for the notes under each table.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".to_string())
}
