//! (F2: being written)
