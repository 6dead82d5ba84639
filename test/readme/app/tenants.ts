/** The reader's tenant registry, as README snippets import it. */
export const tenants = {
  exists: (tenant: string): Promise<boolean> => Promise.resolve(tenant.length > 0),
};
