/**
 * The request id header both servers honour (the router forwards it to the model server it picks):
 * the caller's id for a request, under which the prediction log keeps it and a delayed label is
 * joined to it (Q26, Q28). One name, so a request keeps its id across the two hops.
 */
export const REQUEST_ID_HEADER = 'x-request-id';
