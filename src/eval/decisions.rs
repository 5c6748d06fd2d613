//! What the bot would do with labelled messages (answer, clarify, escalate, route), judged against
//! what it should do: the figures behind "a direct answer can be trusted".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::LabelledQuery;
use crate::answer::{Answer, Decision};

/// What a set's labels say about the right decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Judge {
    /// Questions with relevant entries should be answered from one of them; questions without must
    /// not be answered directly; no question should be routed.
    Answers,
    /// Messages labelled with a menu (2-6) should be routed there, others (0) not routed; answers
    /// are not judged (the messages have no entry labels).
    Routing,
}

/// Tallies of decisions over one group of messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DecisionCounts {
    /// Messages.
    pub messages: usize,
    /// Questions some entry answers.
    pub answerable: usize,
    /// Of those, answered directly.
    pub answerable_answered: usize,
    /// Direct answers (any question).
    pub answered: usize,
    /// Direct answers from a relevant entry.
    pub answered_right: usize,
    /// Questions no entry answers (must clarify or escalate).
    pub must_escalate: usize,
    /// Of those, answered directly (the error that hurts most).
    pub must_escalate_answered: usize,
    /// Of those, escalated with a catalogue service in the ticket draft.
    pub must_escalate_with_service: usize,
    /// Messages asking for a menu's transaction.
    pub requests: usize,
    /// Messages routed to some menu.
    pub routed: usize,
    /// Requests routed to their menu.
    pub routed_right: usize,
}

impl DecisionCounts {
    /// Adds one message's outcome.
    pub fn add(&mut self, q: &LabelledQuery, answer: &Answer, judge: Judge) {
        self.messages += 1;
        let routed_to = answer.route.as_ref().map(|r| r.number);
        let wanted = q.menu.filter(|&m| m != 0);
        if wanted.is_some() {
            self.requests += 1;
        }
        if routed_to.is_some() {
            self.routed += 1;
        }
        if routed_to.is_some() && routed_to == wanted {
            self.routed_right += 1;
        }
        if judge == Judge::Routing || wanted.is_some() {
            return;
        }
        let answered = answer.decision == Decision::Answer;
        if answered {
            self.answered += 1;
            if answer
                .sources
                .first()
                .is_some_and(|s| q.relevant.iter().any(|r| r.0 == s.id))
            {
                self.answered_right += 1;
            }
        }
        if q.in_scope() {
            self.answerable += 1;
            self.answerable_answered += usize::from(answered);
        } else {
            self.must_escalate += 1;
            self.must_escalate_answered += usize::from(answered);
            self.must_escalate_with_service += usize::from(
                answer
                    .escalation
                    .as_ref()
                    .is_some_and(|e| e.service.is_some()),
            );
        }
    }

    /// Share of direct answers that come from a relevant entry.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.answered_right, self.answered)
    }

    /// Share of answerable questions answered directly.
    pub fn answered_share(&self) -> Option<f64> {
        ratio(self.answerable_answered, self.answerable)
    }

    /// Share of must-escalate questions answered directly.
    pub fn wrongly_answered(&self) -> Option<f64> {
        ratio(self.must_escalate_answered, self.must_escalate)
    }

    /// Share of must-escalate questions whose ticket draft names a service.
    pub fn with_service(&self) -> Option<f64> {
        ratio(self.must_escalate_with_service, self.must_escalate)
    }

    /// Share of routes that went to the requested menu.
    pub fn routing_precision(&self) -> Option<f64> {
        ratio(self.routed_right, self.routed)
    }

    /// Share of requests routed to their menu.
    pub fn routing_recall(&self) -> Option<f64> {
        ratio(self.routed_right, self.requests)
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Decisions over a set: all messages, and by the queries' `kind`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DecisionReport {
    /// Every message.
    pub all: DecisionCounts,
    /// By kind (messages without a kind are only in `all`).
    pub by_kind: BTreeMap<String, DecisionCounts>,
}

impl DecisionReport {
    /// Adds one message's outcome.
    pub fn add(&mut self, q: &LabelledQuery, answer: &Answer, judge: Judge) {
        self.all.add(q, answer, judge);
        if let Some(kind) = &q.kind {
            self.by_kind
                .entry(kind.clone())
                .or_default()
                .add(q, answer, judge);
        }
    }
}
