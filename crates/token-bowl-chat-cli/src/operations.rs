//! The guard that the CLI keeps up with the API: every operation of the
//! generated table (`token_bowl_chat::api::OPERATIONS`, one per operation
//! of `openapi.json`) has a command here, or is listed with the reason it
//! has none. An operation a newer document adds fails the test until it
//! gets a command or a reason.

use clap::CommandFactory;
use token_bowl_chat::api::OPERATIONS;

use crate::cli::Cli;

/// Each operation and the command that calls it (`live chat` sends the
/// typing signal; `live` commands fetch the real-time token).
const COMMANDS: &[(&str, &str)] = &[
    ("admin_delete_message", "admin messages delete"),
    ("admin_delete_user", "admin users delete"),
    ("admin_get_all_users", "admin users list"),
    ("admin_get_message", "admin messages show"),
    ("admin_get_user", "admin users show"),
    (
        "admin_regenerate_user_api_key",
        "admin users regenerate-key",
    ),
    ("admin_update_message", "admin messages edit"),
    ("admin_update_user", "admin users update"),
    ("assign_user_role", "admin users role"),
    ("create_bot", "bots create"),
    ("create_conversation", "conversations create"),
    ("delete_bot", "bots delete"),
    ("delete_conversation", "conversations delete"),
    ("get_available_logos", "logos"),
    ("get_centrifugo_connection_token", "live monitor"),
    ("get_conversation", "conversations show"),
    ("get_conversations", "conversations list"),
    ("get_direct_messages", "messages list"),
    ("get_message", "messages show"),
    ("get_messages", "messages list"),
    ("get_my_bots", "bots list"),
    ("get_my_profile", "info"),
    ("get_online_users", "users list"),
    ("get_unread_count", "unread count"),
    ("get_unread_direct_messages", "unread list"),
    ("get_unread_room_messages", "unread list"),
    ("get_users", "users list"),
    ("health_check", "health"),
    ("invite_user_by_email", "admin invite"),
    ("mark_all_messages_as_read", "unread mark-read"),
    ("mark_message_as_read", "unread mark-read"),
    ("regenerate_bot_api_key", "bots regenerate-key"),
    ("register_user", "register"),
    ("send_message", "messages send"),
    ("send_typing_indicator", "live chat"),
    ("update_bot", "bots update"),
    ("update_conversation", "conversations update"),
    ("regenerate_my_api_key", "users regenerate-key"),
    ("update_my_logo", "users update"),
    ("update_my_username", "users update"),
    ("update_my_webhook", "users update"),
];

/// The operations without a command, and why.
const NO_COMMAND: &[(&str, &str)] = &[
    (
        "admin_delete_conversation",
        "not offered yet: the SDK has it (`Client::admin_delete_conversation`)",
    ),
    (
        "authenticate_magic_link",
        "a browser sign-in; the CLI signs in with an API key",
    ),
    (
        "get_user_profile",
        "not offered yet: the SDK has it (`Client::user`); `users list` shows the same fields",
    ),
    (
        "get_websocket_connections",
        "not offered yet: the SDK has it (`Client::admin_websocket_stats`); server 2.0.1 always reports zeros",
    ),
    (
        "send_magic_link",
        "a browser sign-in; the CLI signs in with an API key",
    ),
];

/// Whether `path` (`"admin users list"`) names a command of the tree.
fn is_command(path: &str) -> bool {
    let mut command = Cli::command();
    for name in path.split(' ') {
        match command.find_subcommand(name) {
            Some(sub) => command = sub.clone(),
            None => return false,
        }
    }
    true
}

#[test]
fn every_operation_has_a_command_or_a_reason() {
    let missing: Vec<&str> = OPERATIONS
        .iter()
        .map(|op| op.id)
        .filter(|id| {
            !COMMANDS.iter().any(|(op, _)| op == id) && !NO_COMMAND.iter().any(|(op, _)| op == id)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a CLI command: {missing:?}; add a command (and a line to \
         COMMANDS) or a line to NO_COMMAND saying why there is none"
    );
}

#[test]
fn the_lists_name_real_operations_and_commands() {
    for (op, command) in COMMANDS {
        assert!(
            OPERATIONS.iter().any(|o| o.id == *op),
            "{op} is not an operation of the document"
        );
        assert!(is_command(command), "{command:?} is not a command");
        assert!(
            !NO_COMMAND.iter().any(|(o, _)| o == op),
            "{op} is listed both with a command and without"
        );
    }
    for (op, reason) in NO_COMMAND {
        assert!(
            OPERATIONS.iter().any(|o| o.id == *op),
            "{op} is not an operation of the document"
        );
        assert!(!reason.is_empty(), "{op} needs a reason");
    }
    assert!(
        !is_command("users show"),
        "the check finds a missing command"
    );
}
