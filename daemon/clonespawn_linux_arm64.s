#include "textflag.h"

// func rawClone(flags, stack uintptr, steps *cloneStep, n uintptr, res *cloneResult) uintptr
//
// The child runs on the stack given, shares the daemon's memory and
// never returns to Go: it makes each step's system call and, on the
// first that fails, writes the result and the steps left to res and
// calls exit_group(127). clonespawn_linux.go says why.
TEXT ·rawClone(SB),NOSPLIT,$0-48
	MOVD	flags+0(FP), R0
	MOVD	stack+8(FP), R1
	MOVD	steps+16(FP), R19
	MOVD	n+24(FP), R20
	MOVD	res+32(FP), R21
	MOVD	$0, R2
	MOVD	$0, R3
	MOVD	$0, R4
	MOVD	$220, R8 // SYS_clone
	SVC
	CBZ	R0, child
	MOVD	R0, ret+40(FP)
	RET

child:
	// R19: the step, R20: steps left, R21: res. SVC keeps all but R0.
	CBZ	R20, fail
	MOVD	0(R19), R8
	MOVD	8(R19), R0
	MOVD	16(R19), R1
	MOVD	24(R19), R2
	MOVD	32(R19), R3
	MOVD	40(R19), R4
	MOVD	48(R19), R5
	SVC
	MOVD	64(R19), R9
	CBNZ	R9, exact
	CMN	$4095, R0
	BCS	fail // R0 >= -4095 unsigned: an error
	B	next
exact:
	MOVD	56(R19), R9
	CMP	R9, R0
	BNE	fail
next:
	ADD	$72, R19
	SUB	$1, R20
	B	child

fail:
	MOVD	R0, 0(R21)
	MOVD	R20, 8(R21)
	MOVD	$127, R0
	MOVD	$94, R8 // SYS_exit_group
	SVC
	B	fail
