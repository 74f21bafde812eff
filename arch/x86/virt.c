/* Picking the virtualization back end from CPUID (SDM Vol. 2A CPUID leaf 0;
 * APM Vol. 3 CPUID Fn0000_0000). */
#include <arch/cpu.h>
#include <arch/virt.h>
#include <kernel/log.h>
#include <kernel/string.h>

static void vendor_string(char out[13])
{
	struct cpuid_regs r = cpuid(0, 0);
	memcpy(out, &r.ebx, 4);
	memcpy(out + 4, &r.edx, 4);
	memcpy(out + 8, &r.ecx, 4);
	out[12] = 0;
}

const struct virt_ops *virt_select(void)
{
	char vendor[13];
	vendor_string(vendor);
	bool intel = !strcmp(vendor, "GenuineIntel");
	bool amd = !strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine");
	const struct virt_ops *ops = intel ? &vmx_ops : amd ? &svm_ops : NULL;

	if (!ops) {
		log_err("tessera: cpu vendor \"%s\" is neither Intel nor AMD: no known virtualization", vendor);
		return NULL;
	}
	log_info("tessera: cpu vendor %s, using %s", vendor, ops->name);
	return ops->probe() == 0 ? ops : NULL;
}
