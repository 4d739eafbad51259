//! Styles: the 16 basic colours (so any colour terminal reads them), or
//! none at all under `NO_COLOR` (bold, underline and reverse still mark
//! what must stand out).

use ratatui::style::{Color, Modifier, Style};

/// The styles of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Colours are used.
    pub color: bool,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to something.
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self { color: !no_color }
    }

    /// No colours.
    #[cfg(test)]
    pub fn plain() -> Self {
        Self { color: false }
    }

    /// With colours.
    #[cfg(test)]
    pub fn colored() -> Self {
        Self { color: true }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Times and other quiet text.
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    /// Another person's name.
    pub fn name(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// My own name.
    pub fn own(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    /// A bot's name and tag.
    pub fn bot(self) -> Style {
        self.fg(Color::Magenta)
    }

    /// An admin's name and tag.
    pub fn admin(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// A message that mentions me.
    pub fn mention(self) -> Style {
        if self.color {
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }

    /// A send that failed, and the offline state.
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// A send on its way, reconnecting.
    pub fn pending(self) -> Style {
        self.fg(Color::Yellow)
    }

    /// Connected.
    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    /// The open conversation in the list.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// An unread count.
    pub fn unread(self) -> Style {
        self.fg(Color::LightRed).add_modifier(Modifier::BOLD)
    }

    /// Borders.
    pub fn border(self) -> Style {
        self.fg(Color::Blue)
    }
}
