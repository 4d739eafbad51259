//! The input line: readline editing, history and Tab completion.

/// One completion in progress: repeated Tab cycles through `candidates`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Completion {
    /// Where the completed word starts (a char index).
    start: usize,
    /// What may replace it, in order.
    candidates: Vec<String>,
    /// Which one is shown.
    index: usize,
}

/// What is being typed, with its cursor, the lines sent before, and a
/// completion in progress.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    text: Vec<char>,
    cursor: usize,
    history: Vec<String>,
    /// Position while browsing `history` (`None`: the draft).
    browsing: Option<usize>,
    draft: String,
    completion: Option<Completion>,
}

/// How many sent lines the history keeps.
const HISTORY: usize = 500;

impl Editor {
    /// The text as typed.
    pub fn text(&self) -> String {
        self.text.iter().collect()
    }

    /// Whether nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The cursor as (line, char column) in the text's lines.
    pub fn cursor_line_col(&self) -> (usize, usize) {
        let before = &self.text[..self.cursor];
        let line = before.iter().filter(|c| **c == '\n').count();
        let col = before.iter().rev().take_while(|c| **c != '\n').count();
        (line, col)
    }

    /// Inserts text at the cursor (a typed char, or a paste with newlines).
    pub fn insert(&mut self, text: &str) {
        self.completion = None;
        // Pasted text from Windows or old Macs: one kind of newline.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        for c in text
            .chars()
            .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        {
            self.text.insert(self.cursor, c);
            self.cursor += 1;
        }
    }

    /// Deletes the char before the cursor.
    pub fn backspace(&mut self) {
        self.completion = None;
        if self.cursor > 0 {
            self.cursor -= 1;
            self.text.remove(self.cursor);
        }
    }

    /// Deletes the char under the cursor.
    pub fn delete(&mut self) {
        self.completion = None;
        if self.cursor < self.text.len() {
            self.text.remove(self.cursor);
        }
    }

    /// Moves the cursor one char left (`-1`) or right (`1`).
    pub fn step(&mut self, by: isize) {
        self.completion = None;
        self.cursor = self.cursor.saturating_add_signed(by).min(self.text.len());
    }

    /// Start of the current line (Ctrl-A, Home).
    pub fn home(&mut self) {
        self.completion = None;
        while self.cursor > 0 && self.text[self.cursor - 1] != '\n' {
            self.cursor -= 1;
        }
    }

    /// End of the current line (Ctrl-E, End).
    pub fn end(&mut self) {
        self.completion = None;
        while self.cursor < self.text.len() && self.text[self.cursor] != '\n' {
            self.cursor += 1;
        }
    }

    /// The start of the word before the cursor.
    fn word_start(&self) -> usize {
        let mut at = self.cursor;
        while at > 0 && self.text[at - 1].is_whitespace() {
            at -= 1;
        }
        while at > 0 && !self.text[at - 1].is_whitespace() {
            at -= 1;
        }
        at
    }

    /// One word left (Alt-B).
    pub fn word_left(&mut self) {
        self.completion = None;
        self.cursor = self.word_start();
    }

    /// One word right (Alt-F).
    pub fn word_right(&mut self) {
        self.completion = None;
        let len = self.text.len();
        while self.cursor < len && self.text[self.cursor].is_whitespace() {
            self.cursor += 1;
        }
        while self.cursor < len && !self.text[self.cursor].is_whitespace() {
            self.cursor += 1;
        }
    }

    /// Deletes the word before the cursor (Ctrl-W).
    pub fn kill_word(&mut self) {
        self.completion = None;
        let start = self.word_start();
        self.text.drain(start..self.cursor);
        self.cursor = start;
    }

    /// Deletes from the start of the line to the cursor (Ctrl-U).
    pub fn kill_to_start(&mut self) {
        let end = self.cursor;
        self.home();
        self.text.drain(self.cursor..end);
    }

    /// Deletes from the cursor to the end of the line (Ctrl-K).
    pub fn kill_to_end(&mut self) {
        let start = self.cursor;
        self.end();
        self.text.drain(start..self.cursor);
        self.cursor = start;
    }

    /// Takes the text to send, remembers it in the history and empties the line.
    pub fn take(&mut self) -> String {
        let text = self.text();
        if !text.trim().is_empty() && self.history.last() != Some(&text) {
            self.history.push(text.clone());
            if self.history.len() > HISTORY {
                self.history.remove(0);
            }
        }
        self.set(String::new());
        self.browsing = None;
        text
    }

    fn set(&mut self, text: String) {
        self.text = text.chars().collect();
        self.cursor = self.text.len();
        self.completion = None;
    }

    /// The previous sent line (Up).
    pub fn history_prev(&mut self) {
        let index = match self.browsing {
            None if self.history.is_empty() => return,
            None => {
                self.draft = self.text();
                self.history.len() - 1
            }
            Some(0) => return,
            Some(i) => i - 1,
        };
        self.browsing = Some(index);
        self.set(self.history[index].clone());
    }

    /// The next sent line, then the draft again (Down).
    pub fn history_next(&mut self) {
        match self.browsing {
            None => {}
            Some(i) if i + 1 < self.history.len() => {
                self.browsing = Some(i + 1);
                self.set(self.history[i + 1].clone());
            }
            Some(_) => {
                self.browsing = None;
                let draft = std::mem::take(&mut self.draft);
                self.set(draft);
            }
        }
    }

    /// Tab: completes the word at the cursor from `candidates_for(word)`;
    /// another Tab replaces it with the next candidate.
    pub fn complete(&mut self, candidates_for: impl Fn(&str) -> Vec<String>) {
        if let Some(mut completion) = self.completion.take() {
            completion.index = (completion.index + 1) % completion.candidates.len();
            self.put_completion(completion.start, &completion.candidates[completion.index]);
            self.completion = Some(completion);
            return;
        }
        let start = self.word_start();
        let word: String = self.text[start..self.cursor].iter().collect();
        let candidates = candidates_for(&word);
        if let Some(first) = candidates.first() {
            let first = first.clone();
            self.put_completion(start, &first);
            self.completion = Some(Completion {
                start,
                candidates,
                index: 0,
            });
        }
    }

    /// Puts a completed word in place of the one being completed, with a
    /// space after it (as readline does) unless it ends in one or one
    /// follows; the next Tab replaces word and space alike.
    fn put_completion(&mut self, start: usize, word: &str) {
        self.replace_word(start, word);
        if !word.ends_with(' ') && self.text.get(self.cursor) != Some(&' ') {
            self.text.insert(self.cursor, ' ');
            self.cursor += 1;
        }
    }

    fn replace_word(&mut self, start: usize, with: &str) {
        self.text.drain(start..self.cursor);
        self.cursor = start;
        for c in with.chars() {
            self.text.insert(self.cursor, c);
            self.cursor += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> Editor {
        let mut editor = Editor::default();
        editor.insert(text);
        editor
    }

    #[test]
    fn readline_keys_move_and_kill() {
        let mut e = typed("hello big world");
        e.word_left();
        assert_eq!(e.cursor, 10);
        e.kill_word();
        assert_eq!(e.text(), "hello world");
        e.home();
        e.word_right();
        assert_eq!(e.cursor, 5);
        e.kill_to_end();
        assert_eq!(e.text(), "hello");
        e.step(-2);
        e.kill_to_start();
        assert_eq!((e.text().as_str(), e.cursor), ("lo", 0));
        e.end();
        e.backspace();
        e.home();
        e.delete();
        assert_eq!(e.text(), "");
    }

    #[test]
    fn history_keeps_the_draft() {
        let mut e = typed("one");
        e.take();
        e.insert("two");
        e.take();
        e.insert("draft");
        e.history_prev();
        assert_eq!(e.text(), "two");
        e.history_prev();
        e.history_prev();
        assert_eq!(e.text(), "one");
        e.history_next();
        e.history_next();
        assert_eq!(e.text(), "draft");
    }

    #[test]
    fn a_paste_keeps_its_newlines_and_drops_other_controls() {
        let e = typed("a\r\nb\rc\u{7}");
        assert_eq!(e.text(), "a\nb\nc");
        assert_eq!(e.cursor_line_col(), (2, 1));
    }

    #[test]
    fn tab_cycles_through_candidates() {
        let mut e = typed("hi @b");
        let names = |w: &str| {
            ["@bob", "@bea"]
                .iter()
                .filter(|n| n.starts_with(w))
                .map(|n| n.to_string())
                .collect()
        };
        e.complete(names);
        assert_eq!(e.text(), "hi @bob ");
        e.complete(names);
        assert_eq!(e.text(), "hi @bea ");
        e.complete(names);
        assert_eq!(e.text(), "hi @bob ");
        // Before a space already there, none is added.
        let mut mid = typed("@b there");
        mid.cursor = 2;
        mid.complete(names);
        assert_eq!(mid.text(), "@bob there");
        let mut none = typed("@z");
        none.complete(names);
        assert_eq!(none.text(), "@z");
    }
}
