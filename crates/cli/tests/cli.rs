//! Integration tests: run the real `wenku` binary in temporary directories.

mod util;

mod browser;
mod index;
mod misc;
mod reliability;
mod search;
mod serve;
