#include "textflag.h"

// func rawClone(flags, stack uintptr, steps *cloneStep, n uintptr, res *cloneResult) uintptr
//
// The child runs on the stack given, shares the daemon's memory and
// never returns to Go: it makes each step's system call and, on the
// first that fails, writes the result and the steps left to res and
// calls exit_group(127). clonespawn_linux.go says why.
TEXT ·rawClone(SB),NOSPLIT,$0-48
	MOVQ	flags+0(FP), DI
	MOVQ	stack+8(FP), SI
	MOVQ	steps+16(FP), R12
	MOVQ	n+24(FP), R13
	MOVQ	res+32(FP), BX
	XORQ	DX, DX
	XORQ	R10, R10
	XORQ	R8, R8
	MOVQ	$56, AX // SYS_clone
	SYSCALL
	CMPQ	AX, $0
	JEQ	child
	MOVQ	AX, ret+40(FP)
	RET

child:
	// R12: the step, R13: steps left, BX: res. SYSCALL keeps all three.
	TESTQ	R13, R13
	JEQ	fail
	MOVQ	0(R12), AX
	MOVQ	8(R12), DI
	MOVQ	16(R12), SI
	MOVQ	24(R12), DX
	MOVQ	32(R12), R10
	MOVQ	40(R12), R8
	MOVQ	48(R12), R9
	SYSCALL
	CMPQ	64(R12), $0
	JNE	exact
	CMPQ	AX, $0xfffffffffffff001
	JCC	fail // unsigned AX >= -4095: an error
	JMP	next
exact:
	CMPQ	AX, 56(R12)
	JNE	fail
next:
	ADDQ	$72, R12
	DECQ	R13
	JMP	child

fail:
	MOVQ	AX, 0(BX)
	MOVQ	R13, 8(BX)
	MOVQ	$127, DI
	MOVQ	$231, AX // SYS_exit_group
	SYSCALL
	JMP	fail
