//! Word wrapping by display width: CJK characters and most emoji take two
//! columns (`unicode-width`), so lines stay aligned.

use ratatui::{
    style::Style,
    text::{Line, Span},
};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Builds wrapped lines from styled pieces.
struct Wrapper {
    width: usize,
    indent: usize,
    lines: Vec<Line<'static>>,
    spans: Vec<Span<'static>>,
    buf: String,
    style: Style,
    used: usize,
}

impl Wrapper {
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.spans
                .push(Span::styled(std::mem::take(&mut self.buf), self.style));
        }
    }

    fn newline(&mut self) {
        self.flush();
        let trimmed = trim_end(std::mem::take(&mut self.spans));
        self.lines.push(Line::from(trimmed));
        if self.indent > 0 {
            self.spans.push(Span::raw(" ".repeat(self.indent)));
        }
        self.used = self.indent;
    }

    fn push(&mut self, text: &str, style: Style) {
        if style != self.style {
            self.flush();
            self.style = style;
        }
        self.buf.push_str(text);
    }

    fn word(&mut self, word: &str, style: Style) {
        let visible = word.trim_end().width();
        // A word that fits no line is split where it stands.
        let fits_a_line = visible <= self.width - self.indent;
        if self.used + visible > self.width && self.used > self.indent && fits_a_line {
            self.newline();
        }
        if self.used + visible <= self.width {
            self.push(word, style);
            self.used += word.width();
            return;
        }
        // Longer than a line: split between characters.
        for c in word.chars() {
            let w = c.width().unwrap_or(0);
            if self.used + w > self.width && self.used > self.indent {
                self.newline();
            }
            let mut tmp = [0u8; 4];
            self.push(c.encode_utf8(&mut tmp), style);
            self.used += w;
        }
    }
}

/// Drops trailing spaces of a line's last span.
fn trim_end(mut spans: Vec<Span<'static>>) -> Vec<Span<'static>> {
    if let Some(last) = spans.last_mut() {
        let trimmed = last.content.trim_end_matches(' ').to_owned();
        last.content = trimmed.into();
    }
    spans
}

/// Wraps `pieces` (text, style) into lines of at most `width` columns;
/// lines after the first start with `indent` spaces. A newline in the text
/// starts a new line.
pub fn wrap(pieces: &[(&str, Style)], width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(2);
    let indent = if width >= indent + 12 { indent } else { 0 };
    let mut w = Wrapper {
        width,
        indent,
        lines: Vec::new(),
        spans: Vec::new(),
        buf: String::new(),
        style: Style::default(),
        used: 0,
    };
    for (text, style) in pieces {
        for (i, segment) in text.split('\n').enumerate() {
            if i > 0 {
                w.newline();
            }
            for word in segment.split_inclusive(' ') {
                // Tabs would move the terminal's cursor on its own.
                if word.contains('\t') {
                    w.word(&word.replace('\t', "    "), *style);
                } else {
                    w.word(word, *style);
                }
            }
        }
    }
    w.flush();
    w.lines.push(Line::from(trim_end(w.spans)));
    w.lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wraps_at_words_with_a_hanging_indent() {
        let lines = wrap(
            &[
                ("12:00 ", Style::new()),
                ("one two three four five six", Style::new()),
            ],
            20,
            6,
        );
        assert_eq!(text(&lines), ["12:00 one two three", "      four five six"]);
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let lines = wrap(&[("日本語のテキストです", Style::new())], 8, 0);
        assert_eq!(text(&lines), ["日本語の", "テキスト", "です"]);
        assert!(lines.iter().all(|l| l.width() <= 8));
    }

    #[test]
    fn newlines_start_lines() {
        let lines = wrap(&[("a\nb", Style::new())], 20, 2);
        assert_eq!(text(&lines), ["a", "  b"]);
    }
}
