//! Aligned text tables and key/value blocks for human output.
//!
//! Hand-written (a few dozen lines) rather than a table crate: the output is plain columns
//! separated by two spaces, which needs no dependency. Widths count characters, which is
//! right for the ids, addresses and subjects shown here (wide CJK characters would be
//! counted as one column each).

use crate::escape::inert;

/// A table: a header row and rows of cells, rendered with aligned columns.
#[derive(Debug, Default)]
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Longest cell shown, in characters; longer ones are cut with `…`.
const MAX_CELL: usize = 60;

impl Table {
    /// A table with these column titles.
    pub(crate) fn new<const N: usize>(header: [&str; N]) -> Self {
        Self {
            header: header.iter().map(|title| (*title).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (cells beyond the header's width are ignored, missing ones are empty).
    pub(crate) fn row<const N: usize>(&mut self, cells: [String; N]) {
        self.rows
            .push(cells.into_iter().map(|cell| cut(&cell)).collect());
    }

    /// Whether the table has no rows.
    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as lines of text (no trailing newline).
    pub(crate) fn render(&self) -> String {
        let columns = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|title| width(title)).collect();
        for row in &self.rows {
            for (index, cell) in row.iter().take(columns).enumerate() {
                if let Some(current) = widths.get_mut(index) {
                    *current = (*current).max(width(cell));
                }
            }
        }
        let line = |cells: &[String]| {
            let mut out = String::new();
            for (index, wanted) in widths.iter().enumerate() {
                let cell = cells.get(index).map_or("", String::as_str);
                let last = index + 1 == columns;
                out.push_str(cell);
                if !last {
                    out.push_str(&" ".repeat(wanted.saturating_sub(width(cell)) + 2));
                }
            }
            out.trim_end().to_owned()
        };
        let mut lines = vec![line(&self.header)];
        lines.extend(self.rows.iter().map(|row| line(row)));
        lines.join("\n")
    }
}

/// Key/value lines with the values aligned: `Name      Emulator sandbox`. Values are shown on
/// one line with control characters escaped.
pub(crate) fn fields(pairs: &[(&str, String)]) -> String {
    let key_width = pairs.iter().map(|(key, _)| width(key)).max().unwrap_or(0);
    pairs
        .iter()
        .map(|(key, value)| {
            let value = inert(value);
            format!("{key}{}  {value}", " ".repeat(key_width - width(key)))
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn width(text: &str) -> usize {
    text.chars().count()
}

/// One line, at most [`MAX_CELL`] characters, with control characters escaped (cells hold
/// what mail and servers sent).
fn cut(cell: &str) -> String {
    let one_line = inert(cell);
    if width(&one_line) <= MAX_CELL {
        return one_line.into_owned();
    }
    let kept: String = one_line.chars().take(MAX_CELL - 1).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_long_cells_are_cut() {
        let mut table = Table::new(["ID", "NAME", "COUNT"]);
        table.row(["1".to_owned(), "Short".to_owned(), "3".to_owned()]);
        table.row(["12345".to_owned(), "é".repeat(70), String::new()]);
        let rendered = table.render();
        let lines: Vec<&str> = rendered.lines().collect();
        assert_eq!(lines[0], format!("ID     NAME{}COUNT", " ".repeat(58)));
        assert_eq!(lines[1], format!("1      Short{}3", " ".repeat(57)));
        assert!(lines[2].ends_with('…'));
        assert_eq!(lines[2].chars().count(), 7 + 60);
    }

    #[test]
    fn fields_align() {
        let out = fields(&[("Id", "1".to_owned()), ("Username", "x".to_owned())]);
        assert_eq!(out, "Id        1\nUsername  x");
    }
}
