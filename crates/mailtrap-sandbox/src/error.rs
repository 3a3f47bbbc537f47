//! (F1: being written)
