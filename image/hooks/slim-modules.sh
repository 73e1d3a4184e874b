#!/bin/sh
# Keeps only the kernel modules a Pi sign (and the QEMU test) can load, and
# their dependencies: Debian's arm64 kernel ships ~300 MB of modules for
# every arm64 board. Called by customize.sh (unless build-image.sh --full);
# $1 = the root.
# What is kept (paths under lib/modules/VERSION/kernel/):
#   fs, crypto, lib, net (the network stack), arch, sound/core,
#   drivers: the Pi's SoC (bcm, vc4 and v3d GPUs, mmc, clocks, pinctrl,
#   firmware, mailbox, dma, watchdog, thermal, cpufreq, hwrng, i2c, spi),
#   USB (host, serial, storage for provisioning sticks, HID), Ethernet
#   (the Pis' smsc95xx, lan78xx, bcmgenet), Wi-Fi (brcmfmac), CEC, input,
#   and virtio plus i6300esb for image/test-qemu.sh (vivid for its CEC case).
# Then every dependency of what is kept (modules.dep), so nothing kept
# misses a symbol; depmod runs again.
set -eu
root=$1
for moddir in "$root"/lib/modules/*; do
  [ -d "$moddir/kernel" ] || continue
  kver=$(basename "$moddir")
  keep=$(mktemp)
  (cd "$moddir" && find kernel -name '*.ko*' | grep -E \
    '^kernel/(fs|crypto|lib|net|arch|sound/core)/|^kernel/drivers/(gpu/drm/(vc4|v3d|virtio|drm_[a-z_]*|display)|gpu/drm/[a-z_]*\.ko|mmc|clk|pinctrl|firmware|mailbox|dma|watchdog|thermal|cpufreq|char/hw_random|i2c|spi|soc|reset|regulator|gpio|mfd|nvmem|phy|pci|irqchip|base|block/virtio|virtio|usb/(host|core|common|dwc2|serial|storage)|hid|input|media/cec|media/test-drivers/vivid|media/(v4l2-core|common|mc)|net/(usb|ethernet/broadcom|virtio|phy|mdio|wireless/broadcom)|leds|power|rtc|tty|video)/' \
    >"$keep")
  # Dependencies of the kept modules, until nothing new comes in.
  while :; do
    before=$(wc -l <"$keep")
    awk -v keep="$keep" 'BEGIN { while ((getline m < keep) > 0) k[m] = 1 }
      { head = $1; sub(/:$/, "", head); if (head in k) for (i = 2; i <= NF; i++) print $i }' \
      "$moddir/modules.dep" | cat "$keep" - | sort -u >"$keep.new"
    mv "$keep.new" "$keep"
    [ "$(wc -l <"$keep")" -eq "$before" ] && break
  done
  before_kb=$(du -sk "$moddir/kernel" | cut -f1)
  (cd "$moddir" && find kernel -name '*.ko*') | sort >"$keep.all"
  comm -23 "$keep.all" "$keep" | (cd "$moddir" && xargs -r rm -f)
  find "$moddir/kernel" -type d -empty -delete
  [ -n "${SLIM_NO_DEPMOD:-}" ] || chroot "$root" depmod -a "$kver"
  after_kb=$(du -sk "$moddir/kernel" | cut -f1)
  echo "slim-modules: $kver: $(wc -l <"$keep") of $(wc -l <"$keep.all") modules kept," \
    "$((before_kb / 1024)) MB -> $((after_kb / 1024)) MB"
  rm -f "$keep" "$keep.all"
done
