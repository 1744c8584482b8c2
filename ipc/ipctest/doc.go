// Package ipctest holds the helpers that the tests of every sensord
// package share: pipes made as the daemon makes them (non-blocking,
// close-on-exec, of a chosen capacity), a frame collector, and the one
// way tests wait for a condition (Poll, Eventually) instead of sleeping.
//
// It imports ipc, so ipc's own tests (package ipc) cannot use it; they
// keep one small newPipe of their own.
package ipctest
