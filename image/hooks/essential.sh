#!/bin/sh
# mmdebstrap --essential-hook: runs after the essential packages, before the
# kernel is installed. $1 = the root being built.
set -eu
root=$1

# A small initramfs with only the drivers that reach the root file system.
# The default (MODULES=most) copies ~760 modules and takes over 15 minutes
# under qemu-user; this list takes seconds. modules.d is read by initramfs-
# tools in addition to /etc/initramfs-tools/modules (a conffile we must not
# pre-create, or dpkg would stop to ask about it).
mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/usr/share/initramfs-tools/modules.d"
cat >"$root/etc/initramfs-tools/conf.d/kiosk.conf" <<'CONF'
MODULES=list
COMPRESS=gzip
CONF
cat >"$root/usr/share/initramfs-tools/modules.d/kiosk" <<'MODS'
# SD card on the Pi 3 / 4 / 400 / Zero 2 W
mmc_block
sdhci_iproc
sdhci_pltfm
bcm2835
bcm2835_dma
# USB boot (Pi 4/400 from a USB stick)
usb_storage
uas
xhci_pci
pcie_brcmstb
reset_raspberrypi
dwc2
# QEMU's virt machine (image/test-qemu.sh)
virtio_pci
virtio_blk
virtio_mmio
# File systems
ext4
crc32c_generic
vfat
nls_cp437
nls_ascii
MODS
