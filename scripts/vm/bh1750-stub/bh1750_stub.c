// SPDX-License-Identifier: GPL-2.0
/*
 * bh1750_stub: a test-only I2C adapter with one BH1750 ambient-light
 * sensor at 0x23 on it, for sensord's VM test (scripts/vm-test.sh).
 *
 * The adapter implements master_xfer, so it takes the raw I2C_RDWR
 * transfers that i2c-dev passes on (i2c-stub is SMBus only and cannot).
 * It answers the BH1750 command set the way the data sheet says: power
 * down 0x00, power on 0x01, reset 0x07, continuous modes 0x10/0x11/0x13,
 * one-time modes 0x20/0x21/0x23, measurement time 0x40-0x47 (MTreg bits
 * 7..5) and 0x60-0x7F (bits 4..0); a two-byte read returns the result
 * big-endian, counts = lux * 1.2 * MTreg / 69 (twice that in the H2 modes).
 *
 * Parameters, writable in /sys/module/bh1750_stub/parameters:
 *   lux   the light level the sensor sees (integer lux)
 *   nack  1: every transfer gets no acknowledge (-ENXIO, as a real
 *         adapter reports an address NACK)
 *   bus   the adapter number, fixed at load (default 1: /dev/i2c-1)
 */
#include <linux/module.h>
#include <linux/i2c.h>
#include <linux/mutex.h>

#define BH1750_ADDR 0x23

static int lux = 100;
module_param(lux, int, 0644);
MODULE_PARM_DESC(lux, "light level in lux");

static bool nack;
module_param(nack, bool, 0644);
MODULE_PARM_DESC(nack, "1: every transfer is not acknowledged (-ENXIO)");

static int bus = 1;
module_param(bus, int, 0444);
MODULE_PARM_DESC(bus, "adapter number (/dev/i2c-<bus>)");

static DEFINE_MUTEX(chip_lock);
static u8 mode;		/* 0: no measurement started */
static bool powered;
static unsigned int mtreg = 69;

static void bh1750_cmd(u8 c)
{
	if (c == 0x00) {
		powered = false;
	} else if (c == 0x01) {
		powered = true;
	} else if (c == 0x07) {
		if (powered)
			mode = 0;
	} else if (c == 0x10 || c == 0x11 || c == 0x13 ||
		   c == 0x20 || c == 0x21 || c == 0x23) {
		powered = true;
		mode = c;
	} else if ((c & 0xF8) == 0x40) {
		mtreg = (mtreg & 0x1F) | ((c & 0x07) << 5);
	} else if ((c & 0xE0) == 0x60) {
		mtreg = (mtreg & 0xE0) | (c & 0x1F);
	}
}

static u16 bh1750_counts(void)
{
	u64 c;

	if (!mode || lux < 0)
		return 0;
	/* counts = lux * 1.2 * mtreg / 69, in integers: lux * 12 * mtreg / 690 */
	c = div_u64((u64)lux * 12 * mtreg, 690);
	if (mode == 0x11 || mode == 0x21)
		c *= 2;
	if (mode == 0x20 || mode == 0x21 || mode == 0x23)
		powered = false;
	return c > 0xFFFF ? 0xFFFF : c;
}

static int bh1750_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs, int num)
{
	int i, j;
	u16 v;

	if (READ_ONCE(nack))
		return -ENXIO;
	mutex_lock(&chip_lock);
	for (i = 0; i < num; i++) {
		struct i2c_msg *m = &msgs[i];

		if (m->addr != BH1750_ADDR || (m->flags & I2C_M_TEN)) {
			mutex_unlock(&chip_lock);
			return -ENXIO;
		}
		if (m->flags & I2C_M_RD) {
			v = bh1750_counts();
			for (j = 0; j < m->len; j++)
				m->buf[j] = j == 0 ? v >> 8 : j == 1 ? v & 0xFF : 0xFF;
		} else {
			for (j = 0; j < m->len; j++)
				bh1750_cmd(m->buf[j]);
		}
	}
	mutex_unlock(&chip_lock);
	return num;
}

static u32 bh1750_func(struct i2c_adapter *adap)
{
	return I2C_FUNC_I2C;
}

static const struct i2c_algorithm bh1750_algo = {
	.master_xfer = bh1750_xfer,
	.functionality = bh1750_func,
};

static struct i2c_adapter bh1750_adapter = {
	.owner = THIS_MODULE,
	.class = I2C_CLASS_HWMON,
	.algo = &bh1750_algo,
	.name = "bh1750-stub",
};

static int __init bh1750_stub_init(void)
{
	bh1750_adapter.nr = bus;
	return i2c_add_numbered_adapter(&bh1750_adapter);
}

static void __exit bh1750_stub_exit(void)
{
	i2c_del_adapter(&bh1750_adapter);
}

module_init(bh1750_stub_init);
module_exit(bh1750_stub_exit);

MODULE_DESCRIPTION("test-only I2C adapter with a BH1750 at 0x23 (sensord VM test)");
MODULE_LICENSE("GPL");
