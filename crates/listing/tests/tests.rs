//! Integration tests of wenku-listing on real input.

mod corpus;
mod damaged;
mod fuzz;
mod properties;
mod reliability;
mod seed;
