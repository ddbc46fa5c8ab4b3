//! Integration tests of wenku-listing on real input.

mod corpus;
mod properties;
mod seed;
