//! Code shared by the tests that run a real `redis-server` (`redis_differential.rs`,
//! `redis_explain_server.rs`): the RESP client, starting the server, and the random rule
//! vocabulary. Each test uses only part of it.
#![allow(dead_code)]

pub mod resp;
pub mod server;
pub mod vocab;
