/** placeholder: filled in by its first module */
export {};
