//! DF4xx: checks that need more than one resource of the bundle.
