//! History as streams over the server's newest-first offset pages.
//!
//! Offset paging shifts while it runs: a message posted between two page
//! requests pushes everything one place back, so the next page starts with
//! something already seen; a message deleted ahead of the offset pulls
//! everything forward, so the next page would skip one. The pager drops ids
//! it has yielded, and when the server's `total` shrinks it steps the
//! offset back by as much and reads the overlap again. Nothing is yielded
//! twice and nothing is skipped.

use std::{collections::HashSet, future::Future};

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt, stream};
use uuid::Uuid;

use crate::{
    Result,
    types::{Conversation, ConversationPage, Message, MessagePage, MessageQuery, Page, Pagination},
};

/// The default number of items per page request.
pub const DEFAULT_PAGE_SIZE: u64 = 50;

/// How a history stream pages: `HistoryOptions::new().page_size(100).since(t)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HistoryOptions {
    /// Items per request (default 50; conversations allow at most 100).
    pub page_size: u64,
    /// Stop at this time: only items strictly newer are yielded.
    pub since: Option<DateTime<Utc>>,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        Self {
            page_size: DEFAULT_PAGE_SIZE,
            since: None,
        }
    }
}

impl HistoryOptions {
    /// Every item, 50 per request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Items per request.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = size;
        self
    }

    /// Only items strictly newer than `time`.
    pub fn since(mut self, time: DateTime<Utc>) -> Self {
        self.since = Some(time);
        self
    }
}

pub(crate) fn messages<F, Fut>(
    options: HistoryOptions,
    fetch: F,
) -> impl Stream<Item = Result<Message>> + Send + 'static
where
    F: Fn(MessageQuery) -> Fut + Send + 'static,
    Fut: Future<Output = Result<MessagePage>> + Send,
{
    let since = options.since;
    paginate(
        options,
        move |offset, limit| {
            let mut query = MessageQuery::new().offset(offset).limit(limit);
            query.since = since;
            let page = fetch(query);
            async move { page.await.map(|p| (p.messages, p.pagination)) }
        },
        |m: &Message| (m.id, m.timestamp),
    )
}

pub(crate) fn conversations<F, Fut>(
    options: HistoryOptions,
    fetch: F,
) -> impl Stream<Item = Result<Conversation>> + Send + 'static
where
    F: Fn(Page) -> Fut + Send + 'static,
    Fut: Future<Output = Result<ConversationPage>> + Send,
{
    paginate(
        options,
        move |offset, limit| {
            let page = fetch(Page::new().offset(offset).limit(limit));
            async move { page.await.map(|p| (p.conversations, p.pagination)) }
        },
        |c: &Conversation| (c.id, c.created_at),
    )
}

struct Pager<F> {
    fetch: F,
    offset: u64,
    total: Option<u64>,
    seen: HashSet<Uuid>,
    done: bool,
}

fn paginate<T, F, Fut>(
    options: HistoryOptions,
    fetch: F,
    key: fn(&T) -> (Uuid, DateTime<Utc>),
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(u64, u64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(Vec<T>, Pagination)>> + Send,
{
    let page_size = options.page_size.max(1);
    let since = options.since;
    let pager = Pager {
        fetch,
        offset: 0,
        total: None,
        seen: HashSet::new(),
        done: false,
    };
    stream::unfold(pager, move |mut pager| async move {
        while !pager.done {
            let (items, pagination) = match (pager.fetch)(pager.offset, page_size).await {
                Ok(page) => page,
                Err(e) => {
                    pager.done = true;
                    return Some((vec![Err(e)], pager));
                }
            };
            if let Some(previous) = pager.total
                && pagination.total < previous
                && pager.offset > 0
            {
                pager.offset = pager.offset.saturating_sub(previous - pagination.total);
                pager.total = Some(pagination.total);
                continue;
            }
            pager.total = Some(pagination.total);
            let count = u64::try_from(items.len()).unwrap_or(u64::MAX);
            pager.offset = pager.offset.saturating_add(count);
            if count == 0 || !pagination.has_more {
                pager.done = true;
            }
            let mut fresh = Vec::with_capacity(items.len());
            for item in items {
                let (id, time) = key(&item);
                if since.is_some_and(|since| time <= since) {
                    pager.done = true;
                    break;
                }
                if pager.seen.insert(id) {
                    fresh.push(Ok(item));
                }
            }
            if !fresh.is_empty() {
                return Some((fresh, pager));
            }
        }
        None
    })
    .flat_map(stream::iter)
}
