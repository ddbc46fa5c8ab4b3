//! Integration tests of wenku-listing on real input.

mod corpus;
mod damaged;
mod fuzz;
mod parallel;
mod properties;
mod reliability;
mod seed;
